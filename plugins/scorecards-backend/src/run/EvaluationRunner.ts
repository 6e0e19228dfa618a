import {
  AuthService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError, stringifyError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import type { Duration } from 'luxon';
import type {
  EntityEvaluation,
  Fact,
} from '@guardrails/plugin-scorecards-common';
import type {
  EntityEvaluationRecord,
  RunRecord,
  ScorecardsStore,
  StoredEntityResults,
} from '../database';
import { isFactFresh, observedAtOf, type ScorecardEngine } from '../engine';
import { CatalogSnapshot, SNAPSHOT_FIELDS } from './CatalogSnapshot';

/**
 * How long a fact without `freshFor` is kept for an entity the catalog does not have: a push may
 * come before the catalog has processed the entity, but not by a month.
 */
const UNMATCHED_FACT_MAX_AGE_MS = 30 * 86_400_000;

/**
 * The facts to prune among those of entities the catalog does not have: the stale ones (past
 * their `freshFor`), and those without `freshFor` observed more than 30 days ago.
 */
export function unmatchedFactsToPrune(facts: Fact[], now: Date): Fact[] {
  const nowMs = now.getTime();
  return facts.filter(fact =>
    fact.freshFor === undefined
      ? observedAtOf(fact) < nowMs - UNMATCHED_FACT_MAX_AGE_MS
      : !isFactFresh(fact, nowMs),
  );
}

/** Why a run stopped when its signal aborted. */
const STOPPED =
  'The run was stopped before it finished: it ran longer than scorecards.schedule.timeout, or the backend shut down';

/** Options of {@link EvaluationRunner}. */
export interface EvaluationRunnerOptions {
  engine: ScorecardEngine;
  store: ScorecardsStore;
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
  /** Entities per catalog page and per store write. */
  pageSize?: number;
  /** The current time; injectable so tests control it. */
  clock?: () => Date;
}

/**
 * Evaluates the catalog against the scorecard definitions and stores what changed.
 *
 * A run reads the catalog twice with cursor paging and service credentials: once lightly, to
 * know every entity (so rules can ask whether an owner exists) and the group tree; then with the
 * fields the rules read, evaluating and writing one page at a time. Only a run that read the whole
 * catalog removes the results of entities that left it, so a failure mid-run keeps the last good
 * results.
 */
export class EvaluationRunner {
  readonly #engine: ScorecardEngine;
  readonly #store: ScorecardsStore;
  readonly #catalog: CatalogService;
  readonly #auth: AuthService;
  readonly #logger: LoggerService;
  readonly #pageSize: number;
  readonly #clock: () => Date;
  readonly #scorecardChecks: Record<string, string[]>;

  constructor(options: EvaluationRunnerOptions) {
    this.#engine = options.engine;
    this.#store = options.store;
    this.#catalog = options.catalog;
    this.#auth = options.auth;
    this.#logger = options.logger;
    this.#pageSize = options.pageSize ?? 500;
    this.#clock = options.clock ?? (() => new Date());
    this.#scorecardChecks = Object.fromEntries(
      options.engine.definitions.scorecards.map(s => [s.id, s.checks]),
    );
  }

  /**
   * Evaluates the whole catalog once and records the run. When `signal` aborts (the scheduler's
   * timeout, or a shutdown), the run stops at once, even in the middle of a catalog read, and is
   * recorded as failed: another run may start then, and two must not write at the same time.
   */
  async run(
    trigger: RunRecord['trigger'] = 'schedule',
    options: { signal?: AbortSignal } = {},
  ): Promise<RunRecord> {
    const { signal } = options;
    const record = await this.#store.startRun({
      trigger,
      definitionsFingerprint: this.#engine.fingerprint,
      now: this.#clock(),
    });
    let entities = 0;
    let changed = 0;
    try {
      const credentials = await this.#auth.getOwnServiceCredentials();
      const snapshot = await this.#readSnapshot(credentials, signal);
      await this.#store.saveOrgSnapshot({
        groups: snapshot.groups(),
        systems: snapshot.ofKind('system'),
        domains: snapshot.ofKind('domain'),
      });

      const seen = new Set<string>();
      // A page is written while the next is read and evaluated, so the database and the engine
      // work side by side; the writes stay in order, one at a time.
      let writing: Promise<number> = Promise.resolve(0);
      try {
        for await (const page of untilAborted(
          this.#catalog.streamEntities(
            // Every entity, not only those a scorecard applies to (the engine leaves the others
            // out): the catalog pages a filtered read by scanning, for each page, every match
            // before the page's cursor, which at 50,000 components made the read grow with the
            // square of the catalog (about 0.35 s a page on PostgreSQL); an unfiltered read walks
            // the primary key, a few milliseconds a page.
            {
              fields: this.#engine.entityFields(),
              pageSize: this.#pageSize,
            },
            { credentials },
          ),
          signal,
        )) {
          const now = this.#clock();
          const records = await this.#evaluate(page, snapshot, now);
          for (const r of records) {
            seen.add(r.info.entityRef);
          }
          entities += records.length;
          changed += await writing;
          writing = this.#store
            .writeEvaluations(records, now)
            .then(written => written.changed);
          // Awaited with the next page or below; until then a failure must not count as unhandled.
          writing.catch(() => {});
        }
      } finally {
        // A run that stops lets the page being written finish before the run is recorded.
        await writing.catch(() => {});
      }
      changed += await writing;

      if (signal?.aborted) {
        throw new Error(STOPPED);
      }
      const gone = (await this.#store.listEntityRefs()).filter(
        ref => !seen.has(ref),
      );
      const removed = await this.#store.removeEntities(gone, this.#clock());
      await this.#pruneUnmatchedFacts(snapshot);
      await this.#store.saveDefinitionsFingerprint(this.#engine.fingerprint);
      const finished = await this.#store.finishRun(record.id, {
        status: 'succeeded',
        entities,
        changed,
        removed,
        now: this.#clock(),
      });
      this.#logger.info(
        `Scorecards run ${record.id} evaluated ${entities} entities in ${finished.durationMs} ms: ${changed} changed, ${removed} removed`,
      );
      return finished;
    } catch (error) {
      this.#logger.error(
        `Scorecards run ${record.id} failed after ${entities} entities; earlier results are kept`,
        error as Error,
      );
      return await this.#store.finishRun(record.id, {
        status: 'failed',
        entities,
        changed,
        removed: 0,
        error: stringifyError(error),
        now: this.#clock(),
      });
    }
  }

  /**
   * Evaluates one entity now, on behalf of a caller who must be able to read it, stores the
   * result and returns it; undefined when no scorecard applies to the entity.
   */
  async evaluateEntity(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<StoredEntityResults | undefined> {
    const { ref, records, now } = await this.#evaluateOne(
      entityRef,
      credentials,
    );
    if (records.length === 0) {
      await this.#store.removeEntities([ref], now);
      return undefined;
    }
    await this.#store.writeEvaluations(records, now);
    await this.#store.markEvaluated(ref, now);
    return await this.#store.getEntityResults(ref);
  }

  /**
   * What evaluating one entity now would give, for a caller who must be able to read it; nothing
   * is stored. No scorecard applies when `scorecards` is empty.
   */
  async previewEntity(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<EntityEvaluation> {
    const { ref, records } = await this.#evaluateOne(entityRef, credentials);
    return (
      records[0]?.evaluation ?? { entityRef: ref, checks: [], scorecards: [] }
    );
  }

  /**
   * Ids of the scorecards that apply to an entity the caller can read. Which scorecards apply
   * depends on the entity alone, so no related entity, fact or waiver is read.
   */
  async applicableScorecards(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<string[]> {
    const entity = await this.#readableEntity(entityRef, credentials);
    const evaluation = this.#engine.evaluate({
      entity,
      facts: [],
      waivers: [],
      catalog: new CatalogSnapshot(),
      now: this.#clock(),
    });
    return evaluation.scorecards.map(s => s.scorecardId);
  }

  async #readableEntity(entityRef: string, credentials: BackstageCredentials) {
    const entity = await this.#catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity) {
      throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    }
    return entity;
  }

  async #evaluateOne(entityRef: string, credentials: BackstageCredentials) {
    const entity = await this.#readableEntity(entityRef, credentials);
    // The evaluation must not depend on who asked: look related entities up as the plugin.
    const serviceCredentials = await this.#auth.getOwnServiceCredentials();
    const related = [
      ...new Set((entity.relations ?? []).map(r => r.targetRef)),
    ];
    const { items } = related.length
      ? await this.#catalog.getEntitiesByRefs(
          { entityRefs: related, fields: SNAPSHOT_FIELDS },
          { credentials: serviceCredentials },
        )
      : { items: [] };
    const snapshot = CatalogSnapshot.from(
      items.filter((e): e is Entity => Boolean(e)),
    );
    const systemRef = snapshot.infoOf(entity).systemRef;
    if (systemRef && !snapshot.get(systemRef)) {
      const system = await this.#catalog.getEntityByRef(systemRef, {
        credentials: serviceCredentials,
      });
      if (system) snapshot.add(system);
    }

    const now = this.#clock();
    const records = await this.#evaluate([entity], snapshot, now);
    return { ref: stringifyEntityRef(entity), records, now };
  }

  /** Deletes stale facts of entities the catalog, read whole by this run, does not have. */
  async #pruneUnmatchedFacts(snapshot: CatalogSnapshot) {
    const unmatched = (await this.#store.listFactEntityRefs()).filter(
      ref => !snapshot.get(ref),
    );
    if (unmatched.length === 0) {
      return;
    }
    const facts = [...(await this.#store.getFacts(unmatched)).values()].flat();
    const pruned = await this.#store.deleteFacts(
      unmatchedFactsToPrune(facts, this.#clock()),
    );
    if (pruned > 0) {
      this.#logger.info(
        `Pruned ${pruned} stale facts of entities that are not in the catalog`,
      );
    }
  }

  async #readSnapshot(
    credentials: BackstageCredentials,
    signal: AbortSignal | undefined,
  ) {
    const snapshot = new CatalogSnapshot();
    for await (const page of untilAborted(
      this.#catalog.streamEntities(
        { fields: SNAPSHOT_FIELDS, pageSize: this.#pageSize * 2 },
        { credentials },
      ),
      signal,
    )) {
      for (const entity of page) {
        snapshot.add(entity);
      }
    }
    return snapshot;
  }

  /** Evaluates a page of entities; entities no scorecard applies to are left out. */
  async #evaluate(
    entities: Entity[],
    snapshot: CatalogSnapshot,
    now: Date,
  ): Promise<EntityEvaluationRecord[]> {
    const refs = entities.map(e => stringifyEntityRef(e));
    const [facts, waivers] = await Promise.all([
      this.#store.getFacts(refs),
      this.#store.getActiveWaivers(refs, now),
    ]);
    const records: EntityEvaluationRecord[] = [];
    entities.forEach((entity, i) => {
      const evaluation = this.#engine.evaluate({
        entity,
        facts: facts.get(refs[i]) ?? [],
        waivers: waivers.get(refs[i]) ?? [],
        catalog: snapshot,
        now,
      });
      if (evaluation.scorecards.length > 0) {
        records.push({
          info: snapshot.infoOf(entity),
          evaluation,
          scorecardChecks: this.#scorecardChecks,
          scorecardFingerprints: this.#engine.scorecardFingerprints,
        });
      }
    });
    return records;
  }
}

/**
 * The items of an async iterable until `signal` aborts, which ends the wait for the next item at
 * once (a catalog request that hangs must not keep a run alive past its timeout).
 */
async function* untilAborted<T>(
  items: AsyncIterable<T>,
  signal: AbortSignal | undefined,
): AsyncGenerator<T> {
  if (!signal) {
    yield* items;
    return;
  }
  let stop = () => {};
  const aborted = new Promise<never>((_resolve, reject) => {
    stop = () => reject(new Error(STOPPED));
  });
  aborted.catch(() => {});
  if (signal.aborted) stop();
  signal.addEventListener('abort', stop, { once: true });
  const iterator = items[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) {
        return;
      }
      yield next.value;
    }
  } finally {
    signal.removeEventListener('abort', stop);
    // Not awaited: a generator still waiting for its next item would only return after it.
    iterator.return?.()?.catch(() => {});
  }
}

/**
 * A run as it should be shown: one still recorded as running after its timeout can no longer
 * finish (the scheduler would have stopped it), so its backend stopped first; it is abandoned.
 */
export function withAbandoned(
  run: RunRecord,
  now: Date,
  timeout: Duration,
): RunRecord {
  if (
    run.status !== 'running' ||
    Date.parse(run.startedAt) + timeout.toMillis() > now.getTime()
  ) {
    return run;
  }
  return {
    ...run,
    status: 'abandoned',
    error: `The run did not finish within its timeout of ${timeout
      .rescale()
      .toHuman()}: the backend running it stopped`,
  };
}
