import {
  DatabaseService,
  isDatabaseConflictError,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import type {
  CheckStatus,
  Fact,
  Waiver,
  WaiverOutcome,
  WaiverProblem,
} from '@guardrails/plugin-scorecards-common';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { stableStringify } from '../engine';
import { BulkWriter } from './BulkWriter';
import {
  assertHistorySource,
  checkImportedEvent,
  importedHistoryRows,
} from './historyImport';
import { SortColumn, sortColumns } from './scoreOrder';
import {
  changedRecords,
  planWrite,
  PreparedRecord,
  prepareRecord,
  removalEvent,
  rowsWritten,
  StoredEntity,
} from './changes';
import {
  CHECK_RESULTS,
  CheckResultRow,
  DbTimestamp,
  ENTITIES,
  ENTITY_INFO_COLUMNS,
  EntityInfoRow,
  EntityRow,
  FACT_OBSERVATIONS,
  FACTS,
  FactRow,
  fromCheckRow,
  fromEntityRow,
  fromFactRow,
  fromHistoryRow,
  fromRunRow,
  fromScoreListRow,
  fromScoreRow,
  fromWaiverRow,
  HISTORY,
  HistoryRow,
  RUNS,
  RunRow,
  SCORES,
  ScoreListPart,
  ScoreRow,
  STATE,
  toDate,
  toIso,
  VERSION,
  WAIVERS,
  WaiverRow,
} from './rows';
import {
  EntityEvaluationRecord,
  FactObservation,
  HistoryEvent,
  HistoryImport,
  HistoryImportSummary,
  OrgSnapshot,
  RunRecord,
  ScoreFilter,
  ScoreKey,
  ScorePage,
  ScorePageRequest,
  ScorecardsStore,
  StoredEntityResults,
  StoredWaiver,
  WriteSummary,
} from './ScorecardsStore';

/** Keys of the rows of the state table. */
const ORG_KEY = 'org';
const FINGERPRINT_KEY = 'definitionsFingerprint';

const migrationsDir = resolvePackagePath(
  '@guardrails/plugin-scorecards-backend',
  'migrations',
);

/**
 * The {@link ScorecardsStore} on the plugin's own database, through knex. Runs on SQLite (the
 * embedded default), PostgreSQL and MySQL or MariaDB; JSON lives in text columns, which every
 * database has.
 */
export class DatabaseScorecardsStore implements ScorecardsStore {
  /**
   * Connects to the plugin database and brings its schema up to date, unless migrations are
   * skipped by configuration or by `skipMigrations`.
   */
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseScorecardsStore> {
    const { database, skipMigrations } = options;
    const db = await database.getClient();
    // First, so that a database the plugin does not support is refused before any migration.
    const bulk = await BulkWriter.create(db);

    if (!database.migrations?.skip && !skipMigrations) {
      await db.migrate.latest({ directory: migrationsDir });
    }

    return new DatabaseScorecardsStore(db, bulk);
  }

  private constructor(
    private readonly db: Knex,
    private readonly bulk: BulkWriter,
  ) {}

  async writeEvaluations(
    records: EntityEvaluationRecord[],
    now: Date,
  ): Promise<WriteSummary> {
    const latest = new Map<string, EntityEvaluationRecord>();
    for (const record of records) {
      latest.set(record.info.entityRef, record);
    }
    if (latest.size === 0) {
      return { changed: 0, rowsWritten: 0 };
    }
    // Preparing rows and hashes before the transaction keeps CPU work out of the time locks
    // are held.
    const incoming = [...latest.values()].map(prepareRecord);
    try {
      return await this.writePrepared(incoming, now, { insertNew: true });
    } catch (error) {
      // Another writer stored one of the new entities after this one looked: write again,
      // replacing whatever rows are there.
      if (!isDatabaseConflictError(error)) throw error;
      return await this.writePrepared(incoming, now, { insertNew: false });
    }
  }

  /**
   * Writes the records that changed in one transaction. With `insertNew`, the rows of entities
   * the store did not hold are plain inserts, which PostgreSQL writes about a third faster than
   * upserts; a row that exists after all fails the write with a unique violation.
   */
  private async writePrepared(
    incoming: PreparedRecord[],
    now: Date,
    options: { insertNew: boolean },
  ): Promise<WriteSummary> {
    return this.db.transaction(async tx => {
      const hashes = new Map<string, { hash: string; updatedAt: Date }>();
      const storedRows = await this.bulk.whereInList(
        tx<EntityRow>(ENTITIES).select(
          'entity_ref',
          'evaluation_hash',
          'updated_at',
        ),
        'entity_ref',
        incoming.map(prepared => prepared.ref),
      );
      for (const row of storedRows) {
        hashes.set(row.entity_ref, {
          hash: row.evaluation_hash,
          updatedAt: toDate(row.updated_at),
        });
      }
      const changed = changedRecords(incoming, hashes);
      if (changed.length === 0) {
        return { changed: 0, rowsWritten: 0 };
      }

      // Only entities stored before can have result rows to compare with.
      const previousRefs = changed
        .map(prepared => prepared.ref)
        .filter(ref => hashes.has(ref));
      const stored = new Map<string, StoredEntity>();
      for (const ref of previousRefs) {
        stored.set(ref, { ...hashes.get(ref)!, checks: [], scores: [] });
      }
      if (previousRefs.length) {
        const checks: CheckResultRow[] = await this.bulk.whereInList(
          tx<CheckResultRow>(CHECK_RESULTS).select('*'),
          'entity_ref',
          previousRefs,
        );
        const scores: ScoreRow[] = await this.bulk.whereInList(
          tx<ScoreRow>(SCORES).select('*'),
          'entity_ref',
          previousRefs,
        );
        for (const row of checks) stored.get(row.entity_ref)!.checks.push(row);
        for (const row of scores) stored.get(row.entity_ref)!.scores.push(row);
      }

      const plan = planWrite(changed, stored, now);
      const isNew = (row: { entity_ref: string }) =>
        options.insertNew && !hashes.has(row.entity_ref);
      const write = async (
        table: string,
        rows: Array<{ entity_ref: string }>,
        key: string[],
      ) => {
        await this.bulk.upsert(tx, table, rows.filter(isNew));
        await this.bulk.upsert(
          tx,
          table,
          rows.filter(row => !isNew(row)),
          key,
        );
      };
      await write(ENTITIES, plan.entities, ['entity_ref']);
      await write(CHECK_RESULTS, plan.checkUpserts, ['entity_ref', 'check_id']);
      await this.bulk.deletePairs(
        tx,
        CHECK_RESULTS,
        'check_id',
        plan.checkDeletes,
      );
      await write(SCORES, plan.scoreUpserts, ['entity_ref', 'scorecard_id']);
      await this.bulk.deletePairs(
        tx,
        SCORES,
        'scorecard_id',
        plan.scoreDeletes,
      );
      await this.bulk.upsert(tx, HISTORY, plan.events);
      await bumpVersion(tx);

      return { changed: changed.length, rowsWritten: rowsWritten(plan) };
    });
  }

  async getEntityResults(
    entityRef: string,
  ): Promise<StoredEntityResults | undefined> {
    // One round trip instead of two: this serves every entity page, and reading the results
    // of an entity that turns out not to be stored costs two empty index lookups.
    const [entity, checks, scores, lastRun] = await Promise.all([
      this.db<EntityRow>(ENTITIES).where({ entity_ref: entityRef }).first(),
      this.db<CheckResultRow>(CHECK_RESULTS)
        .where({ entity_ref: entityRef })
        .orderBy('check_id'),
      this.db<ScoreRow>(SCORES)
        .where({ entity_ref: entityRef })
        .orderBy('scorecard_id'),
      // Every run that succeeds evaluates every stored entity, so its start dates them all.
      this.db<RunRow>(RUNS)
        .select('started_at')
        .where({ status: 'succeeded' })
        .orderBy('started_at', 'desc')
        .first(),
    ]);
    if (!entity) {
      return undefined;
    }
    const evaluatedAt = Math.max(
      toDate(entity.updated_at).getTime(),
      entity.evaluated_at ? toDate(entity.evaluated_at).getTime() : 0,
      lastRun ? toDate(lastRun.started_at).getTime() : 0,
    );
    return {
      info: fromEntityRow(entity),
      updatedAt: toIso(entity.updated_at),
      evaluatedAt: new Date(evaluatedAt).toISOString(),
      checks: checks.map(fromCheckRow),
      scorecards: scores.map(fromScoreRow),
      ...(entity.waiver_problems !== null && {
        waiverProblems: JSON.parse(entity.waiver_problems) as WaiverProblem[],
      }),
    };
  }

  async markEvaluated(entityRef: string, now: Date): Promise<void> {
    await this.db<EntityRow>(ENTITIES)
      .where({ entity_ref: entityRef })
      .update({ evaluated_at: now });
  }

  async listEntityRefs(): Promise<string[]> {
    const rows = await this.db<EntityRow>(ENTITIES)
      .select('entity_ref')
      .orderBy('entity_ref');
    return rows.map(row => row.entity_ref);
  }

  async removeEntities(entityRefs: string[], now: Date): Promise<number> {
    if (entityRefs.length === 0) {
      return 0;
    }
    return this.db.transaction(async tx => {
      const existing = (
        await this.bulk.whereInList(
          tx<EntityRow>(ENTITIES).select('entity_ref'),
          'entity_ref',
          [...new Set(entityRefs)],
        )
      ).map(row => row.entity_ref);
      if (existing.length === 0) {
        return 0;
      }
      for (const table of [CHECK_RESULTS, SCORES, ENTITIES]) {
        await this.bulk.whereInList(tx(table), 'entity_ref', existing).delete();
      }
      await this.bulk.upsert(
        tx,
        HISTORY,
        existing.map(ref => removalEvent(ref, now)),
      );
      await bumpVersion(tx);
      return existing.length;
    });
  }

  async listScores(
    filter: ScoreFilter,
    page: ScorePageRequest = {},
  ): Promise<ScorePage> {
    // A page of score rows first, then the entity info of those rows alone: joined in one
    // query, a planner may walk or hash every entity row for each page, and paging through the
    // catalog then grows with its square.
    const query = this.applyScoreFilter(this.db(`${SCORES} as s`), filter);
    const count =
      page.count === false ? undefined : query.clone().count({ total: '*' });

    const rows = query
      .clone()
      .select<ScoreListPart[]>(
        's.entity_ref',
        's.scorecard_id',
        's.level',
        's.level_index',
        's.score',
        's.counts',
        's.failing',
        's.since',
      );
    const backwards = page.before !== undefined;
    const columns = sortColumns(page.sort).map(c => ({
      ...c,
      // Reading backwards walks the order reversed, then turns the page round.
      order: backwards ? flip(c.order) : c.order,
    }));
    const boundary = page.before ?? page.after;
    if (boundary && boundary.length > 0) {
      whereAfter(rows, columns, boundary);
    }
    for (const { column, order } of columns) {
      rows.orderBy(column, order);
    }
    if (page.limit !== undefined) {
      // One row more than asked tells whether there is more.
      rows.limit(page.limit + 1);
    }

    // The count and the page are independent: on a pooled database they run side by side.
    const [counted, pageRows] = await Promise.all([count, rows]);
    const more = page.limit !== undefined && pageRows.length > page.limit;
    const kept = more ? pageRows.slice(0, page.limit) : pageRows;
    if (backwards) {
      kept.reverse();
    }
    const infos = new Map<string, EntityInfoRow>();
    const entityRows: EntityInfoRow[] = await this.bulk.whereInList(
      this.db(ENTITIES).select(...ENTITY_INFO_COLUMNS),
      'entity_ref',
      [...new Set(kept.map(row => row.entity_ref))],
    );
    for (const row of entityRows) infos.set(row.entity_ref, row);
    return {
      // Every score row has its entity's row: they are written and removed together.
      rows: kept.map(row =>
        fromScoreListRow({ ...infos.get(row.entity_ref)!, ...row }),
      ),
      ...(counted && { total: Number(counted[0].total) }),
      more,
    };
  }

  async countCheckStatuses(options: {
    scorecardId: string;
    checkIds: string[];
    entityRefs?: string[];
  }): Promise<Array<{ checkId: string; status: CheckStatus; count: number }>> {
    const { scorecardId, checkIds, entityRefs } = options;
    if (checkIds.length === 0 || entityRefs?.length === 0) {
      return [];
    }
    // The score row is what says the scorecard applies to the entity.
    const query = this.db(`${CHECK_RESULTS} as c`)
      .join(`${SCORES} as s`, 's.entity_ref', 'c.entity_ref')
      .where('s.scorecard_id', scorecardId)
      .select('c.check_id', 'c.status')
      .count({ count: '*' })
      .groupBy('c.check_id', 'c.status')
      .orderBy(['c.check_id', 'c.status']);
    this.bulk.whereInList(query, 'c.check_id', checkIds);
    if (entityRefs) {
      this.bulk.whereInList(query, 'c.entity_ref', entityRefs);
    }
    type CountRow = {
      check_id: string;
      status: string;
      count: number | string;
    };
    const rows = (await query) as unknown as CountRow[];
    return rows.map(row => ({
      checkId: row.check_id,
      status: row.status as CheckStatus,
      count: Number(row.count),
    }));
  }

  async countCheckStatusesBy(options: {
    by: 'owner' | 'system';
    scorecardId: string;
    checkIds: string[];
    entityRefs?: string[];
  }): Promise<
    Array<{
      key: string | null;
      checkId: string;
      status: CheckStatus;
      count: number;
    }>
  > {
    const { by, scorecardId, checkIds, entityRefs } = options;
    if (checkIds.length === 0 || entityRefs?.length === 0) {
      return [];
    }
    const column = by === 'owner' ? 'e.owner_ref' : 'e.system_ref';
    const query = this.db(`${CHECK_RESULTS} as c`)
      .join(`${SCORES} as s`, 's.entity_ref', 'c.entity_ref')
      .join(`${ENTITIES} as e`, 'e.entity_ref', 'c.entity_ref')
      .where('s.scorecard_id', scorecardId)
      .select({ key: column }, 'c.check_id', 'c.status')
      .count({ count: '*' })
      .groupBy(column, 'c.check_id', 'c.status');
    this.bulk.whereInList(query, 'c.check_id', checkIds);
    if (entityRefs) {
      this.bulk.whereInList(query, 'c.entity_ref', entityRefs);
    }
    type CountRow = {
      key: string | null;
      check_id: string;
      status: string;
      count: number | string;
    };
    const rows = (await query) as unknown as CountRow[];
    return rows.map(row => ({
      key: row.key,
      checkId: row.check_id,
      status: row.status as CheckStatus,
      count: Number(row.count),
    }));
  }

  async getHistory(
    entityRef: string,
    window: { from: Date; to: Date },
  ): Promise<HistoryEvent[]> {
    const rows = await this.db<HistoryRow>(HISTORY)
      .where({ entity_ref: entityRef })
      .where('at', '>=', window.from)
      .where('at', '<=', window.to)
      .orderBy([
        { column: 'at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    return rows.map(fromHistoryRow);
  }

  async getScoreHistory(options: {
    scorecardId: string;
    entityRefs?: string[];
    from: Date;
    to: Date;
  }): Promise<Extract<HistoryEvent, { type: 'scorecard' | 'removed' }>[]> {
    const { scorecardId, entityRefs, from, to } = options;
    if (entityRefs && entityRefs.length === 0) {
      return [];
    }
    const events = (): Knex.QueryBuilder => {
      const query = this.db(HISTORY).where(q =>
        q
          .where({ type: 'scorecard', subject_id: scorecardId })
          .orWhere({ type: 'removed' }),
      );
      return entityRefs
        ? this.bulk.whereInList(query, 'entity_ref', entityRefs)
        : query;
    };

    const standingAtFrom = this.db
      .select('*')
      .from(
        events()
          .select(
            '*',
            this.db.raw(
              'row_number() over (partition by ?? order by ?? desc, ?? desc) as rn',
              ['entity_ref', 'at', 'id'],
            ),
          )
          .where('at', '<=', from)
          .as('ranked'),
      )
      .where('rn', 1);
    const inWindow = events()
      .select('*')
      .where('at', '>', from)
      .where('at', '<=', to);

    const rows: HistoryRow[] = [...(await standingAtFrom), ...(await inWindow)];

    // A `removed` event matters only for entities that had this scorecard.
    return eventsOfSubjects(rows, 'scorecard');
  }

  async getCheckHistory(options: {
    checkIds?: string[];
    entityRefs?: string[];
    from: Date;
    to: Date;
  }): Promise<Extract<HistoryEvent, { type: 'check' | 'removed' }>[]> {
    const { checkIds, entityRefs, from, to } = options;
    if ((entityRefs && entityRefs.length === 0) || checkIds?.length === 0) {
      return [];
    }
    const events = (type: 'check' | 'removed'): Knex.QueryBuilder => {
      let query = this.db(HISTORY).where({ type });
      if (type === 'check' && checkIds) {
        query = this.bulk.whereInList(query, 'subject_id', checkIds);
      }
      return entityRefs
        ? this.bulk.whereInList(query, 'entity_ref', entityRefs)
        : query;
    };

    const standingAtFrom = this.db
      .select('*')
      .from(
        events('check')
          .select(
            '*',
            this.db.raw(
              'row_number() over (partition by ??, ?? order by ?? desc, ?? desc) as rn',
              ['entity_ref', 'subject_id', 'at', 'id'],
            ),
          )
          .where('at', '<=', from)
          .as('ranked'),
      )
      .where('rn', 1);
    const inWindow = (type: 'check' | 'removed') =>
      events(type).select('*').where('at', '>', from).where('at', '<=', to);

    const rows: HistoryRow[] = [
      ...(await standingAtFrom),
      ...(await inWindow('check')),
      ...(await inWindow('removed')),
    ];
    // A `removed` event matters only for entities that had one of these checks.
    return eventsOfSubjects(rows, 'check');
  }

  async importHistory(
    history: HistoryImport,
    now: Date = new Date(),
  ): Promise<HistoryImportSummary> {
    const { source } = history;
    assertHistorySource(source);
    if (!Array.isArray(history.events)) {
      throw new InputError('History events must be a list');
    }
    const events = history.events.map(checkImportedEvent);
    return this.db.transaction(async tx => {
      // First, so that replicas importing at once take turns: the version row stays locked
      // until this import commits, and the next one then replaces what it wrote. History moved,
      // though the latest results did not: read models built from it renew.
      await bumpVersion(tx);
      const replaced = await tx(HISTORY).where({ source }).delete();
      // The plugin's own history takes over from its first event for an entity: imported
      // events from then on would contradict it, and those in the future any latest result.
      const refs = [...new Set(events.map(e => e.event.entityRef))];
      const firstRecorded = new Map<string, number>();
      if (refs.length > 0) {
        const rows: Array<{ entity_ref: string; first: DbTimestamp }> =
          await this.bulk.whereInList(
            tx(HISTORY)
              .select('entity_ref')
              .min({ first: 'at' })
              .whereNull('source')
              .groupBy('entity_ref'),
            'entity_ref',
            refs,
          );
        for (const row of rows) {
          firstRecorded.set(row.entity_ref, toDate(row.first).getTime());
        }
      }
      const kept = events.filter(
        ({ event, at }) =>
          at.getTime() <= now.getTime() &&
          at.getTime() < (firstRecorded.get(event.entityRef) ?? Infinity),
      );
      await this.bulk.upsert(tx, HISTORY, importedHistoryRows(source, kept));
      return {
        imported: kept.length,
        skipped: events.length - kept.length,
        replaced,
      };
    });
  }

  async pruneHistory(olderThan: Date): Promise<number> {
    // Ranking old events per subject in one pass beats a correlated lookup per event; the
    // derived table also keeps MySQL from rejecting a subquery on the table being deleted from.
    const superseded = this.db
      .select('id')
      .from(
        this.db(HISTORY)
          .select(
            'id',
            this.db.raw(
              'row_number() over (partition by ??, ??, ?? order by ?? desc, ?? desc) as rn',
              ['entity_ref', 'type', 'subject_id', 'at', 'id'],
            ),
          )
          .where('at', '<', olderThan)
          .as('ranked'),
      )
      .where('rn', '>', 1);
    const deleted = await this.db(HISTORY).whereIn('id', superseded).delete();
    const supersededObservations = this.db
      .select('id')
      .from(
        this.db(FACT_OBSERVATIONS)
          .select(
            'id',
            this.db.raw(
              'row_number() over (partition by ??, ?? order by ?? desc, ?? desc) as rn',
              ['entity_ref', 'name', 'observed_at', 'id'],
            ),
          )
          .where('observed_at', '<', olderThan)
          .as('ranked'),
      )
      .where('rn', '>', 1);
    return (
      deleted +
      (await this.db(FACT_OBSERVATIONS)
        .whereIn('id', supersededObservations)
        .delete())
    );
  }

  async upsertFacts(facts: Fact[]): Promise<void> {
    const updatedAt = new Date();
    const rows = new Map<string, FactRow>();
    for (const fact of facts) {
      rows.set(JSON.stringify([fact.entityRef, fact.name]), {
        entity_ref: fact.entityRef,
        name: fact.name,
        value: stableStringify(fact.value),
        observed_at: new Date(fact.observedAt),
        fresh_for: fact.freshFor ?? null,
        source: fact.source ?? null,
        updated_at: updatedAt,
      });
    }
    await this.db.transaction(async tx => {
      await this.bulk.upsert(
        tx,
        FACTS,
        [...rows.values()],
        ['entity_ref', 'name'],
      );
      await this.appendObservations(tx, facts);
    });
  }

  async appendFactObservations(observations: FactObservation[]): Promise<void> {
    await this.db.transaction(tx => this.appendObservations(tx, observations));
  }

  /**
   * An observation is its entity, name and time: one already kept (a fact pushed again as it
   * was, or a history source imported again at the next start) is not appended twice.
   */
  private async appendObservations(
    tx: Knex.Transaction,
    observations: FactObservation[],
  ) {
    if (observations.length === 0) {
      return;
    }
    const key = (entityRef: string, name: string, at: Date) =>
      `${entityRef}\n${name}\n${at.getTime()}`;
    const kept = new Set<string>();
    const names = [...new Set(observations.map(o => o.name))];
    const refs = [...new Set(observations.map(o => o.entityRef))];
    const rows: Array<{
      entity_ref: string;
      name: string;
      observed_at: DbTimestamp;
    }> = await this.bulk.whereInList(
      tx(FACT_OBSERVATIONS)
        .select('entity_ref', 'name', 'observed_at')
        .whereIn('name', names),
      'entity_ref',
      refs,
    );
    for (const row of rows) {
      kept.add(key(row.entity_ref, row.name, toDate(row.observed_at)));
    }
    const fresh = observations.filter(o => {
      const k = key(o.entityRef, o.name, new Date(o.observedAt));
      if (kept.has(k)) return false;
      kept.add(k);
      return true;
    });
    await this.bulk.upsert(
      tx,
      FACT_OBSERVATIONS,
      fresh.map(o => ({
        entity_ref: o.entityRef,
        name: o.name,
        value: stableStringify(o.value),
        observed_at: new Date(o.observedAt),
      })),
    );
  }

  async getFactObservationsAt(options: {
    name: string;
    entityRefs?: string[];
    at: Date;
  }): Promise<FactObservation[]> {
    const { name, entityRefs, at } = options;
    if (entityRefs?.length === 0) {
      return [];
    }
    let observations = this.db(FACT_OBSERVATIONS)
      .select(
        'entity_ref',
        'value',
        'observed_at',
        this.db.raw(
          'row_number() over (partition by ?? order by ?? desc, ?? desc) as rn',
          ['entity_ref', 'observed_at', 'id'],
        ),
      )
      .where({ name })
      .where('observed_at', '<=', at);
    if (entityRefs) {
      observations = this.bulk.whereInList(
        observations,
        'entity_ref',
        entityRefs,
      );
    }
    type ObservationRow = {
      entity_ref: string;
      value: string;
      observed_at: DbTimestamp;
    };
    const rows: ObservationRow[] = await this.db
      .select('entity_ref', 'value', 'observed_at')
      .from(observations.as('ranked'))
      .where('rn', 1)
      .orderBy('entity_ref');
    return rows.map(row => ({
      entityRef: row.entity_ref,
      name,
      value: JSON.parse(row.value),
      observedAt: toIso(row.observed_at),
    }));
  }

  async getFacts(entityRefs: string[]): Promise<Map<string, Fact[]>> {
    const result = new Map<string, Fact[]>();
    if (entityRefs.length === 0) {
      return result;
    }
    const rows: FactRow[] = await this.bulk.whereInList(
      this.db<FactRow>(FACTS).select('*').orderBy(['entity_ref', 'name']),
      'entity_ref',
      entityRefs,
    );
    for (const row of rows) {
      pushTo(result, row.entity_ref, fromFactRow(row));
    }
    return result;
  }

  async listFacts(
    entityRef: string,
    page: { offset: number; limit: number },
  ): Promise<{ facts: Fact[]; total: number }> {
    const query = this.db<FactRow>(FACTS).where({ entity_ref: entityRef });
    const [[{ total }], rows] = await Promise.all([
      query.clone().count({ total: '*' }),
      query
        .clone()
        .select('*')
        .orderBy('name')
        .offset(page.offset)
        .limit(page.limit),
    ]);
    return { facts: rows.map(fromFactRow), total: Number(total) };
  }

  async getFactNames(entityRefs: string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    if (entityRefs.length === 0) {
      return result;
    }
    const rows: Pick<FactRow, 'entity_ref' | 'name'>[] =
      await this.bulk.whereInList(
        this.db<FactRow>(FACTS).select('entity_ref', 'name'),
        'entity_ref',
        entityRefs,
      );
    for (const row of rows) {
      pushTo(result, row.entity_ref, row.name);
    }
    return result;
  }

  async listFactEntityRefs(): Promise<string[]> {
    const rows = await this.db<FactRow>(FACTS)
      .distinct('entity_ref')
      .orderBy('entity_ref');
    return rows.map(row => row.entity_ref);
  }

  async deleteFacts(
    keys: Array<{ entityRef: string; name: string }>,
  ): Promise<number> {
    if (keys.length === 0) {
      return 0;
    }
    return this.db.transaction(tx =>
      this.bulk.deletePairs(
        tx,
        FACTS,
        'name',
        keys.map(key => [key.entityRef, key.name]),
      ),
    );
  }

  async listResultWaivers(options: {
    entityRef?: string;
  }): Promise<
    Array<{ entityRef: string; checkId: string; outcome: WaiverOutcome }>
  > {
    const query = this.db<CheckResultRow>(CHECK_RESULTS)
      .select('entity_ref', 'check_id', 'waiver')
      .whereNotNull('waiver')
      .orderBy(['entity_ref', 'check_id']);
    if (options.entityRef !== undefined) {
      query.where({ entity_ref: options.entityRef });
    }
    const rows: Pick<CheckResultRow, 'entity_ref' | 'check_id' | 'waiver'>[] =
      await query;
    return rows.map(row => ({
      entityRef: row.entity_ref,
      checkId: row.check_id,
      outcome: JSON.parse(row.waiver!) as WaiverOutcome,
    }));
  }

  async createWaiver(
    waiver: Omit<Waiver, 'id' | 'createdAt' | 'source'>,
    now: Date,
  ): Promise<StoredWaiver> {
    const row: WaiverRow = {
      id: randomUUID(),
      entity_ref: waiver.entityRef,
      check_id: waiver.checkId,
      reason: waiver.reason,
      expires_at: new Date(waiver.expiresAt),
      granted_by: waiver.grantedBy,
      created_at: now,
      revoked_at: null,
      revoked_by: null,
    };
    await this.db<WaiverRow>(WAIVERS).insert(row);
    return fromWaiverRow(row);
  }

  async listWaivers(options: {
    entityRef?: string;
    activeAt?: Date;
  }): Promise<StoredWaiver[]> {
    const query = this.db<WaiverRow>(WAIVERS)
      .select('*')
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    if (options.entityRef !== undefined) {
      query.where({ entity_ref: options.entityRef });
    }
    if (options.activeAt) {
      whereWaiverActive(query, options.activeAt);
    }
    return (await query).map(fromWaiverRow);
  }

  async getWaiver(id: string): Promise<StoredWaiver | undefined> {
    const row = await this.db<WaiverRow>(WAIVERS).where({ id }).first();
    return row ? fromWaiverRow(row) : undefined;
  }

  async revokeWaiver(
    id: string,
    revokedBy: string,
    now: Date,
  ): Promise<boolean> {
    const updated = await whereWaiverActive(
      this.db<WaiverRow>(WAIVERS).where({ id }),
      now,
    ).update({ revoked_at: now, revoked_by: revokedBy });
    return updated > 0;
  }

  async getActiveWaivers(
    entityRefs: string[],
    now: Date,
  ): Promise<Map<string, StoredWaiver[]>> {
    const result = new Map<string, StoredWaiver[]>();
    if (entityRefs.length === 0) {
      return result;
    }
    const query = whereWaiverActive(
      this.db<WaiverRow>(WAIVERS)
        .select('*')
        .orderBy([
          { column: 'created_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ]),
      now,
    );
    const rows: WaiverRow[] = await this.bulk.whereInList(
      query,
      'entity_ref',
      entityRefs,
    );
    for (const row of rows) {
      pushTo(result, row.entity_ref, fromWaiverRow(row));
    }
    return result;
  }

  async startRun(options: {
    trigger: RunRecord['trigger'];
    definitionsFingerprint: string;
    now: Date;
  }): Promise<RunRecord> {
    const row: RunRow = {
      id: randomUUID(),
      trigger: options.trigger,
      status: 'running',
      started_at: options.now,
      finished_at: null,
      duration_ms: null,
      entities: 0,
      changed: 0,
      removed: 0,
      definitions_fingerprint: options.definitionsFingerprint,
      error: null,
    };
    await this.db<RunRow>(RUNS).insert(row);
    return fromRunRow(row);
  }

  async finishRun(
    id: string,
    outcome: Pick<RunRecord, 'status' | 'entities' | 'changed' | 'removed'> & {
      error?: string;
      now: Date;
    },
  ): Promise<RunRecord> {
    const run = await this.db<RunRow>(RUNS).where({ id }).first();
    if (!run) {
      throw new NotFoundError(`No evaluation run with id '${id}'`);
    }
    const update = {
      status: outcome.status,
      finished_at: outcome.now,
      duration_ms: Math.max(
        0,
        outcome.now.getTime() - toDate(run.started_at).getTime(),
      ),
      entities: outcome.entities,
      changed: outcome.changed,
      removed: outcome.removed,
      error: outcome.error ?? null,
    };
    await this.db<RunRow>(RUNS).where({ id }).update(update);
    return fromRunRow({ ...run, ...update });
  }

  async listRuns(limit: number): Promise<RunRecord[]> {
    const rows = await this.db<RunRow>(RUNS)
      .select('*')
      .orderBy([
        { column: 'started_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    return rows.map(fromRunRow);
  }

  async saveOrgSnapshot(org: OrgSnapshot): Promise<void> {
    // A reorganisation moves the version: what was kept for the old organisation is dropped.
    await this.saveState(ORG_KEY, org, { bumpVersion: true });
  }

  async getOrgSnapshot(): Promise<OrgSnapshot | undefined> {
    return (await this.getState(ORG_KEY)) as OrgSnapshot | undefined;
  }

  async saveDefinitionsFingerprint(fingerprint: string): Promise<void> {
    await this.saveState(FINGERPRINT_KEY, fingerprint);
  }

  async getDefinitionsFingerprint(): Promise<string | undefined> {
    return (await this.getState(FINGERPRINT_KEY)) as string | undefined;
  }

  async getVersion(): Promise<number> {
    const row = await this.db(VERSION)
      .select('version')
      .where({ id: 1 })
      .first();
    return Number(row?.version ?? 0);
  }

  private async getState(key: string): Promise<unknown> {
    const row = await this.db(STATE).where({ key }).first();
    return row ? JSON.parse(row.value) : undefined;
  }

  /** Writes a piece of state only when it changed, moving the version with it if asked. */
  private async saveState(
    key: string,
    value: unknown,
    options: { bumpVersion?: boolean } = {},
  ) {
    const json = JSON.stringify(value);
    const row = await this.db(STATE).where({ key }).first();
    if (row?.value === json) {
      return;
    }
    await this.db.transaction(async tx => {
      await tx(STATE).insert({ key, value: json }).onConflict('key').merge();
      if (options.bumpVersion) {
        await bumpVersion(tx);
      }
    });
  }

  private applyScoreFilter(
    query: Knex.QueryBuilder,
    filter: ScoreFilter,
  ): Knex.QueryBuilder {
    if (filter.scorecardId !== undefined) {
      query.where('s.scorecard_id', filter.scorecardId);
    }
    if (filter.entityRefs) {
      this.bulk.whereInList(query, 's.entity_ref', filter.entityRefs);
    }
    // Filters on entity columns pick score rows by their entity: a semi-join the planner can
    // run row by row along the page's index walk.
    const equal = Object.entries({
      system_ref: filter.systemRef,
      domain_ref: filter.domainRef,
      kind: filter.kind,
      lifecycle: filter.lifecycle,
      type: filter.type,
    }).filter(([, value]) => value !== undefined);
    if (filter.ownerRefs || equal.length > 0) {
      const entities = this.db(`${ENTITIES} as e`).select('e.entity_ref');
      if (filter.ownerRefs) {
        this.bulk.whereInList(entities, 'e.owner_ref', filter.ownerRefs);
      }
      for (const [column, value] of equal) {
        entities.where(`e.${column}`, value!);
      }
      query.whereIn('s.entity_ref', entities);
    }
    if (filter.level === null) {
      query.whereNull('s.level');
    } else if (filter.level !== undefined) {
      query.where('s.level', filter.level);
    }
    if (filter.failingCheck !== undefined) {
      // A score row lists its scorecard's failing checks as a JSON array of ids, each in quotes:
      // read in the row, the filter needs no look-up of check results for each row a page
      // walks, nor a scan of every result of the check to count.
      query.whereRaw(`?? like ? escape '!'`, [
        's.failing',
        `%${escapeLike(JSON.stringify(filter.failingCheck))}%`,
      ]);
    }
    if (filter.minScore !== undefined) {
      query.where('s.score', '>=', filter.minScore);
    }
    if (filter.maxScore !== undefined) {
      query.where('s.score', '<=', filter.maxScore);
    }
    if (filter.search) {
      // The score row's search text is its entity's ref and title, one per line, in lower case:
      // a search matches either, and reads no other table.
      query.whereRaw(`?? like ? escape '!'`, [
        's.search',
        `%${escapeLike(filter.search.toLowerCase())}%`,
      ]);
    }
    return query;
  }
}

/** Text to match literally in a `like` pattern with `escape '!'`. */
function escapeLike(text: string): string {
  // `!` as the escape character reads the same on every database; backslash does not.
  return text.replace(/[!%_]/g, c => `!${c}`);
}

async function bumpVersion(tx: Knex.Transaction) {
  await tx(VERSION).where({ id: 1 }).increment('version', 1);
}

function whereWaiverActive<T extends Knex.QueryBuilder>(query: T, at: Date): T {
  return query
    .where('expires_at', '>', at)
    .where(q => q.whereNull('revoked_at').orWhere('revoked_at', '>', at)) as T;
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T) {
  const list = map.get(key);
  if (list) {
    list.push(value);
  } else {
    map.set(key, [value]);
  }
}

function flip(order: 'asc' | 'desc'): 'asc' | 'desc' {
  return order === 'asc' ? 'desc' : 'asc';
}

/**
 * Keeps the rows that come after a key in an order of several columns, each ascending or
 * descending: `(a > ?) or (a = ? and b > ?) or ...`, with the first column's bound on its own as
 * well, so that the index on it narrows the scan.
 */
function whereAfter(
  query: Knex.QueryBuilder,
  columns: SortColumn[],
  key: ScoreKey,
) {
  const value = (i: number) =>
    columns[i].part === 'timestamp' ? new Date(key[i]) : key[i];
  const op = (i: number, strict: boolean) => {
    const greater = columns[i].order === 'asc';
    if (strict) return greater ? '>' : '<';
    return greater ? '>=' : '<=';
  };
  query.where(columns[0].column, op(0, false), value(0));
  query.where(outer => {
    columns.forEach((column, i) => {
      outer.orWhere(inner => {
        for (let j = 0; j < i; j++) {
          inner.where(columns[j].column, value(j));
        }
        inner.where(column.column, op(i, true), value(i));
      });
    });
  });
}

/**
 * History rows as events, oldest first, of the entities that have an event of this type among
 * them: their `removed` events count only beside one.
 */
function eventsOfSubjects<T extends 'check' | 'scorecard'>(
  rows: HistoryRow[],
  type: T,
): Extract<HistoryEvent, { type: T | 'removed' }>[] {
  const subjects = new Set(
    rows.filter(row => row.type === type).map(row => row.entity_ref),
  );
  return rows
    .filter(row => subjects.has(row.entity_ref))
    .sort(
      (a, b) =>
        toDate(a.at).getTime() - toDate(b.at).getTime() ||
        Number(a.id) - Number(b.id),
    )
    .map(
      row =>
        fromHistoryRow(row) as Extract<HistoryEvent, { type: T | 'removed' }>,
    );
}
