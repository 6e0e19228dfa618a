import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import type {
  CheckResult,
  CheckStatus,
  Fact,
  JsonValue,
  ScorecardResult,
  Waiver,
  WaiverOutcome,
  WaiverProblem,
} from '@guardrails/plugin-scorecards-common';
import { createHash, randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { stableStringify } from '../engine';
import {
  EntityEvaluationRecord,
  EntityInfo,
  EntityScoreRow,
  HistoryEvent,
  RunRecord,
  ScoreFilter,
  ScorePageRequest,
  ScoreSortField,
  ScorecardsStore,
  StoredCheckResult,
  StoredEntityResults,
  StoredScorecardResult,
  StoredWaiver,
  WriteSummary,
} from './ScorecardsStore';

const migrationsDir = resolvePackagePath(
  '@guardrails/plugin-scorecards-backend',
  'migrations',
);

const ENTITIES = 'scorecards_entities';
const CHECK_RESULTS = 'scorecards_check_results';
const SCORES = 'scorecards_scores';
const HISTORY = 'scorecards_history';
const FACTS = 'scorecards_facts';
const WAIVERS = 'scorecards_waivers';
const RUNS = 'scorecards_runs';
const STATE = 'scorecards_state';
const VERSION = 'scorecards_version';

/**
 * Part of every evaluation hash. Bump it when the rows derived from a record change shape, so
 * the next run rewrites every entity instead of trusting hashes of the old derivation.
 */
const HASH_FORMAT = 3;

const FAILING_STATUSES: CheckStatus[] = ['fail', 'error'];

/** Lists up to this size go inline as `IN (?, ...)`, where planners estimate them best. */
const INLINE_LIST_LIMIT = 200;

/**
 * SQLite compiles a multi-row insert into a compound SELECT, which it caps at 500 terms.
 * Elsewhere, bigger batches save round trips until statements get unwieldy.
 */
const MAX_ROWS_PER_INSERT_SQLITE = 500;
const MAX_ROWS_PER_INSERT = 2000;

/** PostgreSQL and MySQL accept 65535 bind parameters; stay well below. */
const MAX_VARIABLES = 30000;
/** SQLite's historical limit, assumed when the build does not say otherwise. */
const SQLITE_DEFAULT_MAX_VARIABLES = 999;

type DbTimestamp = Date | number | string;

type EntityRow = {
  entity_ref: string;
  kind: string;
  type: string | null;
  title: string | null;
  lifecycle: string | null;
  owner_ref: string | null;
  owner_exists: boolean | number | null;
  system_ref: string | null;
  domain_ref: string | null;
  /** JSON of the evaluation's waiver problems, null when there are none. */
  waiver_problems: string | null;
  evaluation_hash: string;
  updated_at: DbTimestamp;
  evaluated_at?: DbTimestamp | null;
};

type CheckResultRow = {
  entity_ref: string;
  check_id: string;
  status: string;
  observed: string | null;
  expected: string | null;
  explanation: string;
  enforced: boolean | number;
  waiver: string | null;
  since: DbTimestamp;
};

type ScoreRow = {
  entity_ref: string;
  scorecard_id: string;
  level: string | null;
  level_index: number;
  score: number;
  counts: string;
  failing: string;
  failing_count: number;
  next_level: string | null;
  /** Fingerprint of the scorecard's definitions; null before it was kept. */
  definitions: string | null;
  since: DbTimestamp;
};

type HistoryRow = {
  id?: number | string;
  entity_ref: string;
  type: HistoryEvent['type'];
  subject_id: string;
  status: string | null;
  previous_status: string | null;
  level: string | null;
  previous_level: string | null;
  score: number | null;
  previous_score: number | null;
  failing: number | null;
  definitions_changed: boolean | number | null;
  at: DbTimestamp;
};

type FactRow = {
  entity_ref: string;
  name: string;
  value: string;
  observed_at: DbTimestamp;
  fresh_for: string | null;
  source: string | null;
  updated_at: DbTimestamp;
};

type WaiverRow = {
  id: string;
  entity_ref: string;
  check_id: string;
  reason: string;
  expires_at: DbTimestamp;
  granted_by: string;
  created_at: DbTimestamp;
  revoked_at: DbTimestamp | null;
  revoked_by: string | null;
};

type RunRow = {
  id: string;
  trigger: string;
  status: string;
  started_at: DbTimestamp;
  finished_at: DbTimestamp | null;
  duration_ms: number | null;
  entities: number;
  changed: number;
  removed: number;
  definitions_fingerprint: string;
  error: string | null;
};

type ScoreListRow = Omit<
  ScoreRow,
  'failing_count' | 'next_level' | 'definitions'
> &
  EntityInfoRow;

/** The columns of an entity row that {@link EntityInfo} reads. */
type EntityInfoRow = Omit<
  EntityRow,
  'evaluation_hash' | 'updated_at' | 'waiver_problems'
>;

const SORT_COLUMNS: Record<ScoreSortField, string> = {
  score: 's.score',
  level: 's.level_index',
  name: 's.entity_ref',
  failing: 's.failing_count',
  since: 's.since',
};

/**
 * PostgreSQL types of the columns bulk-written on every run. Sending one array per column and
 * unnesting it server-side writes rows about twice as fast as one parameter per value.
 */
const PG_COLUMN_TYPES: Record<string, Record<string, string>> = {
  [ENTITIES]: {
    entity_ref: 'text',
    kind: 'text',
    type: 'text',
    title: 'text',
    lifecycle: 'text',
    owner_ref: 'text',
    owner_exists: 'boolean',
    system_ref: 'text',
    domain_ref: 'text',
    waiver_problems: 'text',
    evaluation_hash: 'text',
    updated_at: 'timestamptz',
  },
  [CHECK_RESULTS]: {
    entity_ref: 'text',
    check_id: 'text',
    status: 'text',
    observed: 'text',
    expected: 'text',
    explanation: 'text',
    enforced: 'boolean',
    waiver: 'text',
    since: 'timestamptz',
  },
  [SCORES]: {
    entity_ref: 'text',
    scorecard_id: 'text',
    level: 'text',
    level_index: 'integer',
    score: 'double precision',
    counts: 'text',
    failing: 'text',
    failing_count: 'integer',
    next_level: 'text',
    definitions: 'text',
    since: 'timestamptz',
  },
  [HISTORY]: {
    entity_ref: 'text',
    type: 'text',
    subject_id: 'text',
    status: 'text',
    previous_status: 'text',
    level: 'text',
    previous_level: 'text',
    score: 'double precision',
    previous_score: 'double precision',
    failing: 'integer',
    definitions_changed: 'boolean',
    at: 'timestamptz',
  },
};
const PG_ROWS_PER_UNNEST = 5000;

function unnestInsert(
  table: string,
  columns: string[],
  types: Record<string, string>,
  rows: object[],
  key?: string[],
): [string, Knex.RawBinding[]] {
  const values = rows as Record<string, unknown>[];
  const list = columns.map(() => '??').join(', ');
  let sql = `insert into ?? (${list}) select * from unnest(${columns
    .map(column => `?::${types[column]}[]`)
    .join(', ')})`;
  const bindings: Knex.RawBinding[] = [
    table,
    ...columns,
    ...columns.map(column => values.map(row => row[column]) as Knex.Value),
  ];
  if (key) {
    const updated = columns.filter(column => !key.includes(column));
    sql += ` on conflict (${key
      .map(() => '??')
      .join(', ')}) do update set ${updated
      .map(() => '?? = excluded.??')
      .join(', ')}`;
    bindings.push(...key, ...updated.flatMap(column => [column, column]));
  }
  return [sql, bindings];
}

/**
 * The {@link ScorecardsStore} on the plugin's own database, through knex. Runs on SQLite (the
 * embedded default) and PostgreSQL; JSON lives in text columns, which every database has.
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

    if (!database.migrations?.skip && !skipMigrations) {
      await db.migrate.latest({ directory: migrationsDir });
    }

    return new DatabaseScorecardsStore(db, await detectLimits(db));
  }

  private constructor(
    private readonly db: Knex,
    private readonly limits: DialectLimits,
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

    return this.db.transaction(async tx => {
      const stored = new Map<string, { hash: string; updatedAt: Date }>();
      const storedRows = await this.whereInList(
        tx<EntityRow>(ENTITIES).select(
          'entity_ref',
          'evaluation_hash',
          'updated_at',
        ),
        'entity_ref',
        [...latest.keys()],
      );
      for (const row of storedRows) {
        stored.set(row.entity_ref, {
          hash: row.evaluation_hash,
          updatedAt: toDate(row.updated_at),
        });
      }

      const changed = incoming.filter(
        prepared => stored.get(prepared.ref)?.hash !== prepared.hash,
      );
      if (changed.length === 0) {
        return { changed: 0, rowsWritten: 0 };
      }

      // Only entities stored before can have result rows to compare with.
      const previousRefs = changed
        .map(prepared => prepared.ref)
        .filter(ref => stored.has(ref));
      const previousChecks = groupByEntity(
        previousRefs.length
          ? await this.whereInList(
              tx<CheckResultRow>(CHECK_RESULTS).select('*'),
              'entity_ref',
              previousRefs,
            )
          : [],
      );
      const previousScores = groupByEntity(
        previousRefs.length
          ? await this.whereInList(
              tx<ScoreRow>(SCORES).select('*'),
              'entity_ref',
              previousRefs,
            )
          : [],
      );

      const entityRows: EntityRow[] = [];
      const checkUpserts: CheckResultRow[] = [];
      const checkDeletes: [string, string][] = [];
      const scoreUpserts: ScoreRow[] = [];
      const scoreDeletes: [string, string][] = [];
      const events: HistoryRow[] = [];

      for (const prepared of changed) {
        const { ref } = prepared;
        const before =
          checkUpserts.length +
          checkDeletes.length +
          scoreUpserts.length +
          scoreDeletes.length +
          events.length;

        diffChecks(
          prepared,
          previousChecks.get(ref) ?? [],
          now,
          checkUpserts,
          checkDeletes,
          events,
        );
        diffScores(
          prepared,
          previousScores.get(ref) ?? [],
          now,
          scoreUpserts,
          scoreDeletes,
          events,
        );

        const resultsChanged =
          checkUpserts.length +
            checkDeletes.length +
            scoreUpserts.length +
            scoreDeletes.length +
            events.length !==
          before;
        entityRows.push({
          ...prepared.entity,
          evaluation_hash: prepared.hash,
          updated_at: resultsChanged ? now : stored.get(ref)?.updatedAt ?? now,
        });
      }

      await this.upsert(tx, ENTITIES, entityRows, ['entity_ref']);
      await this.upsert(tx, CHECK_RESULTS, checkUpserts, [
        'entity_ref',
        'check_id',
      ]);
      await this.deletePairs(tx, CHECK_RESULTS, 'check_id', checkDeletes);
      await this.upsert(tx, SCORES, scoreUpserts, [
        'entity_ref',
        'scorecard_id',
      ]);
      await this.deletePairs(tx, SCORES, 'scorecard_id', scoreDeletes);
      await this.insert(tx, HISTORY, events);
      await bumpVersion(tx);

      return {
        changed: changed.length,
        rowsWritten:
          checkUpserts.length +
          checkDeletes.length +
          scoreUpserts.length +
          scoreDeletes.length +
          events.length,
      };
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
        await this.whereInList(
          tx<EntityRow>(ENTITIES).select('entity_ref'),
          'entity_ref',
          [...new Set(entityRefs)],
        )
      ).map(row => row.entity_ref);
      if (existing.length === 0) {
        return 0;
      }
      for (const table of [CHECK_RESULTS, SCORES, ENTITIES]) {
        await this.whereInList(tx(table), 'entity_ref', existing).delete();
      }
      await this.insert(
        tx,
        HISTORY,
        existing.map(ref => emptyHistoryRow(ref, 'removed', '', now)),
      );
      await bumpVersion(tx);
      return existing.length;
    });
  }

  async listScores(
    filter: ScoreFilter,
    page: ScorePageRequest = {},
  ): Promise<{ rows: EntityScoreRow[]; total: number }> {
    const query = this.db(`${SCORES} as s`).join(
      `${ENTITIES} as e`,
      'e.entity_ref',
      's.entity_ref',
    );
    this.applyScoreFilter(query, filter);

    const count = query.clone().count({ total: '*' });

    const rows = query
      .clone()
      .select<ScoreListRow[]>(
        's.entity_ref',
        's.scorecard_id',
        's.level',
        's.level_index',
        's.score',
        's.counts',
        's.failing',
        's.since',
        'e.kind',
        'e.type',
        'e.title',
        'e.lifecycle',
        'e.owner_ref',
        'e.owner_exists',
        'e.system_ref',
        'e.domain_ref',
      );
    const { sort } = page;
    if (sort) {
      rows.orderBy(SORT_COLUMNS[sort.field], sort.order);
      if (sort.field === 'level') {
        rows.orderBy('s.score', sort.order);
      }
    }
    // Ties break on the entity, so pages neither repeat nor skip rows.
    if (sort?.field !== 'name') {
      rows.orderBy('s.entity_ref', 'asc');
    }
    rows.orderBy('s.scorecard_id', 'asc');
    if (page.limit !== undefined) {
      rows.limit(page.limit);
    }
    if (page.offset) {
      rows.offset(page.offset);
    }

    // The count and the page are independent: on a pooled database they run side by side.
    const [[{ total }], pageRows] = await Promise.all([count, rows]);
    return {
      rows: pageRows.map(fromScoreListRow),
      total: Number(total),
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
    this.whereInList(query, 'c.check_id', checkIds);
    if (entityRefs) {
      this.whereInList(query, 'c.entity_ref', entityRefs);
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
        ? this.whereInList(query, 'entity_ref', entityRefs)
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
    const scored = new Set(
      rows.filter(row => row.type === 'scorecard').map(row => row.entity_ref),
    );
    return rows
      .filter(row => scored.has(row.entity_ref))
      .sort(
        (a, b) =>
          toDate(a.at).getTime() - toDate(b.at).getTime() ||
          Number(a.id) - Number(b.id),
      )
      .map(
        row =>
          fromHistoryRow(row) as Extract<
            HistoryEvent,
            { type: 'scorecard' | 'removed' }
          >,
      );
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
    return this.db(HISTORY).whereIn('id', superseded).delete();
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
    await this.db.transaction(tx =>
      this.upsert(tx, FACTS, [...rows.values()], ['entity_ref', 'name']),
    );
  }

  async getFacts(entityRefs: string[]): Promise<Map<string, Fact[]>> {
    const result = new Map<string, Fact[]>();
    if (entityRefs.length === 0) {
      return result;
    }
    const rows: FactRow[] = await this.whereInList(
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
    const rows: Pick<FactRow, 'entity_ref' | 'name'>[] = await this.whereInList(
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
      this.deletePairs(
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
    const rows: WaiverRow[] = await this.whereInList(
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

  async getState(key: string): Promise<JsonValue | undefined> {
    const row = await this.db(STATE).where({ key }).first();
    return row ? JSON.parse(row.value) : undefined;
  }

  async setState(key: string, value: JsonValue): Promise<void> {
    await this.db(STATE)
      .insert({ key, value: JSON.stringify(value) })
      .onConflict('key')
      .merge();
  }

  async getVersion(): Promise<number> {
    const row = await this.db(VERSION)
      .select('version')
      .where({ id: 1 })
      .first();
    return Number(row?.version ?? 0);
  }

  private applyScoreFilter(query: Knex.QueryBuilder, filter: ScoreFilter) {
    if (filter.scorecardId !== undefined) {
      query.where('s.scorecard_id', filter.scorecardId);
    }
    if (filter.entityRefs) {
      this.whereInList(query, 's.entity_ref', filter.entityRefs);
    }
    if (filter.ownerRefs) {
      this.whereInList(query, 'e.owner_ref', filter.ownerRefs);
    }
    if (filter.systemRef !== undefined) {
      query.where('e.system_ref', filter.systemRef);
    }
    if (filter.domainRef !== undefined) {
      query.where('e.domain_ref', filter.domainRef);
    }
    if (filter.kind !== undefined) {
      query.where('e.kind', filter.kind);
    }
    if (filter.type !== undefined) {
      query.where('e.type', filter.type);
    }
    if (filter.level === null) {
      query.whereNull('s.level');
    } else if (filter.level !== undefined) {
      query.where('s.level', filter.level);
    }
    if (filter.failingCheck !== undefined) {
      const checkId = filter.failingCheck;
      query.whereExists(sub =>
        sub
          .select(this.db.raw('1'))
          .from(`${CHECK_RESULTS} as c`)
          .whereRaw('?? = ??', ['c.entity_ref', 's.entity_ref'])
          .where('c.check_id', checkId)
          .whereIn('c.status', FAILING_STATUSES),
      );
    }
    if (filter.minScore !== undefined) {
      query.where('s.score', '>=', filter.minScore);
    }
    if (filter.maxScore !== undefined) {
      query.where('s.score', '<=', filter.maxScore);
    }
    if (filter.search) {
      // `!` as the escape character reads the same on every database; backslash does not.
      const pattern = `%${filter.search
        .toLowerCase()
        .replace(/[!%_]/g, c => `!${c}`)}%`;
      query.where(q =>
        q
          .whereRaw(`lower(??) like ? escape '!'`, ['s.entity_ref', pattern])
          .orWhereRaw(`lower(??) like ? escape '!'`, ['e.title', pattern]),
      );
    }
  }

  /**
   * Restricts a query to rows whose column is in a list of any length. Long lists travel as
   * one JSON parameter that the database unpacks, which sidesteps bind-variable limits (999 on
   * some SQLite builds) and keeps one statement where chunking would need one per chunk.
   */
  private whereInList<T extends Knex.QueryBuilder>(
    query: T,
    column: string,
    values: string[],
  ): T {
    if (values.length <= INLINE_LIST_LIMIT) {
      return query.whereIn(column, values) as T;
    }
    const json = JSON.stringify(values);
    if (this.limits.dialect === 'sqlite') {
      return query.whereRaw('?? in (select value from json_each(?))', [
        column,
        json,
      ]) as T;
    }
    if (this.limits.dialect === 'pg') {
      return query.whereRaw(
        '?? in (select jsonb_array_elements_text(cast(? as jsonb)))',
        [column, json],
      ) as T;
    }
    const size = this.limits.maxVariables - 100;
    return query.where(q => {
      for (let i = 0; i < values.length; i += size) {
        q.orWhereIn(column, values.slice(i, i + size));
      }
    }) as T;
  }

  private rowsPerStatement(columns: number): number {
    return Math.max(
      1,
      Math.min(
        this.limits.maxRowsPerInsert,
        Math.floor(this.limits.maxVariables / columns),
      ),
    );
  }

  private async insert(tx: Knex.Transaction, table: string, rows: object[]) {
    await this.upsert(tx, table, rows);
  }

  /** Inserts rows; with a key, rows whose key exists replace the stored ones. */
  private async upsert(
    tx: Knex.Transaction,
    table: string,
    rows: object[],
    key?: string[],
  ) {
    if (rows.length === 0) {
      return;
    }
    const columns = Object.keys(rows[0]);
    const types = PG_COLUMN_TYPES[table];
    if (this.limits.dialect === 'pg' && types) {
      for (let i = 0; i < rows.length; i += PG_ROWS_PER_UNNEST) {
        await tx.raw(
          ...unnestInsert(
            table,
            columns,
            types,
            rows.slice(i, i + PG_ROWS_PER_UNNEST),
            key,
          ),
        );
      }
      return;
    }
    const size = this.rowsPerStatement(columns.length);
    for (let i = 0; i < rows.length; i += size) {
      const insert = tx(table).insert(rows.slice(i, i + size));
      await (key ? insert.onConflict(key).merge() : insert);
    }
  }

  /** Deletes rows by (entity ref, id) pairs; returns how many. */
  private async deletePairs(
    tx: Knex.Transaction,
    table: string,
    idColumn: string,
    pairs: [string, string][],
  ): Promise<number> {
    const size = Math.floor(this.limits.maxVariables / 2);
    let deleted = 0;
    for (let i = 0; i < pairs.length; i += size) {
      deleted += await tx(table)
        .whereIn(['entity_ref', idColumn], pairs.slice(i, i + size))
        .delete();
    }
    return deleted;
  }
}

type DialectLimits = {
  dialect: 'sqlite' | 'pg' | 'other';
  maxVariables: number;
  maxRowsPerInsert: number;
};

async function detectLimits(db: Knex): Promise<DialectLimits> {
  const client = String(db.client.config.client ?? '');
  if (client.includes('sqlite')) {
    let maxVariables = SQLITE_DEFAULT_MAX_VARIABLES;
    try {
      const options: { compile_options: string }[] = await db.raw(
        'pragma compile_options',
      );
      const match = options
        .map(o => /^MAX_VARIABLE_NUMBER=(\d+)$/.exec(o.compile_options))
        .find(Boolean);
      if (match) {
        maxVariables = Number(match[1]);
      }
    } catch {
      // Builds without the pragma keep the conservative default.
    }
    return {
      dialect: 'sqlite',
      maxVariables: Math.min(maxVariables, MAX_VARIABLES),
      maxRowsPerInsert: MAX_ROWS_PER_INSERT_SQLITE,
    };
  }
  return {
    dialect: client === 'pg' || client.startsWith('postgres') ? 'pg' : 'other',
    maxVariables: MAX_VARIABLES,
    maxRowsPerInsert: MAX_ROWS_PER_INSERT,
  };
}

async function bumpVersion(tx: Knex.Transaction) {
  await tx(VERSION).where({ id: 1 }).increment('version', 1);
}

function whereWaiverActive<T extends Knex.QueryBuilder>(query: T, at: Date): T {
  return query
    .where('expires_at', '>', at)
    .where(q => q.whereNull('revoked_at').orWhere('revoked_at', '>', at)) as T;
}

/**
 * What a record stores, as rows without their timestamps (which depend on the stored rows),
 * and a hash of exactly that content.
 */
type PreparedRecord = {
  ref: string;
  entity: Omit<EntityRow, 'evaluation_hash' | 'updated_at'>;
  checks: CheckContent[];
  scores: ScoreContent[];
  hash: string;
};

type CheckContent = Omit<CheckResultRow, 'since'>;
type ScoreContent = Omit<ScoreRow, 'since'>;

function prepareRecord(record: EntityEvaluationRecord): PreparedRecord {
  const ref = record.info.entityRef;
  const { checks, scorecards } = record.evaluation;

  const checksById = new Map(checks.map(check => [check.checkId, check]));
  const failing = checks.filter(c => FAILING_STATUSES.includes(c.status));
  const scoresById = new Map(scorecards.map(s => [s.scorecardId, s]));

  const problems = record.evaluation.waiverProblems;
  const prepared = {
    ref,
    entity: {
      ...toEntityContent(record.info),
      waiver_problems: problems?.length ? stableStringify(problems) : null,
    },
    // Sorted, so a reordering by the engine does not count as a change.
    checks: [...checksById.values()]
      .map(check => toCheckContent(ref, check))
      .sort((a, b) => compareStrings(a.check_id, b.check_id)),
    scores: [...scoresById.values()]
      .map(scorecard => {
        const members = record.scorecardChecks?.[scorecard.scorecardId];
        const ids = (
          members ? failing.filter(c => members.includes(c.checkId)) : failing
        ).map(c => c.checkId);
        return toScoreContent(
          ref,
          scorecard,
          ids,
          record.scorecardFingerprints?.[scorecard.scorecardId],
        );
      })
      .sort((a, b) => compareStrings(a.scorecard_id, b.scorecard_id)),
  };
  // Values in the order the row builders fix, JSON values inside them already stable text:
  // plain JSON of these tuples is a stable serialization, and leaving keys out halves it.
  const hash = createHash('sha256')
    .update(
      JSON.stringify([
        HASH_FORMAT,
        Object.values(prepared.entity),
        prepared.checks.map(c => [
          c.check_id,
          c.status,
          c.observed,
          c.expected,
          c.explanation,
          c.enforced,
          c.waiver,
        ]),
        prepared.scores.map(({ entity_ref, ...score }) => Object.values(score)),
      ]),
    )
    .digest('hex');
  return { ...prepared, hash };
}

function diffChecks(
  prepared: PreparedRecord,
  previous: CheckResultRow[],
  now: Date,
  upserts: CheckResultRow[],
  deletes: [string, string][],
  events: HistoryRow[],
) {
  const { ref } = prepared;
  const previousById = new Map(previous.map(row => [row.check_id, row]));
  for (const content of prepared.checks) {
    const prev = previousById.get(content.check_id);
    previousById.delete(content.check_id);
    const statusChanged = prev?.status !== content.status;
    if (statusChanged || !sameCheck(prev, content)) {
      upserts.push({
        ...content,
        since: statusChanged ? now : toDate(prev.since),
      });
    }
    if (statusChanged) {
      events.push({
        ...emptyHistoryRow(ref, 'check', content.check_id, now),
        status: content.status,
        previous_status: prev?.status ?? null,
      });
    }
  }
  for (const checkId of previousById.keys()) {
    deletes.push([ref, checkId]);
  }
}

function diffScores(
  prepared: PreparedRecord,
  previous: ScoreRow[],
  now: Date,
  upserts: ScoreRow[],
  deletes: [string, string][],
  events: HistoryRow[],
) {
  const { ref } = prepared;
  const previousById = new Map(previous.map(row => [row.scorecard_id, row]));
  for (const content of prepared.scores) {
    const prev = previousById.get(content.scorecard_id);
    previousById.delete(content.scorecard_id);
    const levelChanged = !prev || prev.level !== content.level;
    if (levelChanged || !sameScore(prev, content)) {
      upserts.push({
        ...content,
        since: levelChanged ? now : toDate(prev.since),
      });
    }
    if (
      levelChanged ||
      Number(prev.score) !== content.score ||
      Number(prev.failing_count) !== content.failing_count
    ) {
      events.push({
        ...emptyHistoryRow(ref, 'scorecard', content.scorecard_id, now),
        level: content.level,
        score: content.score,
        failing: content.failing_count,
        ...(prev && {
          previous_level: prev.level,
          previous_score: Number(prev.score),
          definitions_changed: prev.definitions !== content.definitions,
        }),
      });
    }
  }
  for (const scorecardId of previousById.keys()) {
    deletes.push([ref, scorecardId]);
  }
}

function sameCheck(a: CheckResultRow, b: CheckContent): boolean {
  return (
    a.status === b.status &&
    a.observed === b.observed &&
    a.expected === b.expected &&
    a.explanation === b.explanation &&
    Boolean(a.enforced) === Boolean(b.enforced) &&
    a.waiver === b.waiver
  );
}

function sameScore(a: ScoreRow, b: ScoreContent): boolean {
  return (
    a.level === b.level &&
    Number(a.level_index) === b.level_index &&
    Number(a.score) === b.score &&
    a.counts === b.counts &&
    a.failing === b.failing &&
    a.next_level === b.next_level &&
    a.definitions === b.definitions
  );
}

function emptyHistoryRow(
  ref: string,
  type: HistoryEvent['type'],
  subjectId: string,
  at: Date,
): HistoryRow {
  return {
    entity_ref: ref,
    type,
    subject_id: subjectId,
    status: null,
    previous_status: null,
    level: null,
    previous_level: null,
    score: null,
    previous_score: null,
    failing: null,
    definitions_changed: null,
    at,
  };
}

function toEntityContent(info: EntityInfo): EntityInfoRow {
  return {
    entity_ref: info.entityRef,
    kind: info.kind,
    type: info.type ?? null,
    title: info.title ?? null,
    lifecycle: info.lifecycle ?? null,
    owner_ref: info.ownerRef ?? null,
    owner_exists: info.ownerExists ?? null,
    system_ref: info.systemRef ?? null,
    domain_ref: info.domainRef ?? null,
  };
}

function fromEntityRow(row: EntityInfoRow): EntityInfo {
  return {
    entityRef: row.entity_ref,
    kind: row.kind,
    ...(row.type !== null && { type: row.type }),
    ...(row.title !== null && { title: row.title }),
    ...(row.lifecycle !== null && { lifecycle: row.lifecycle }),
    ...(row.owner_ref !== null && { ownerRef: row.owner_ref }),
    ...(row.owner_exists !== null && {
      ownerExists: Boolean(row.owner_exists),
    }),
    ...(row.system_ref !== null && { systemRef: row.system_ref }),
    ...(row.domain_ref !== null && { domainRef: row.domain_ref }),
  };
}

function toCheckContent(ref: string, check: CheckResult): CheckContent {
  return {
    entity_ref: ref,
    check_id: check.checkId,
    status: check.status,
    observed:
      check.observed === undefined ? null : stableStringify(check.observed),
    expected: check.expected ?? null,
    explanation: check.explanation,
    enforced: check.enforced,
    waiver: check.waiver === undefined ? null : stableStringify(check.waiver),
  };
}

function fromCheckRow(row: CheckResultRow): StoredCheckResult {
  return {
    checkId: row.check_id,
    status: row.status as CheckStatus,
    ...(row.observed !== null && { observed: JSON.parse(row.observed) }),
    ...(row.expected !== null && { expected: row.expected }),
    explanation: row.explanation,
    enforced: Boolean(row.enforced),
    ...(row.waiver !== null && {
      waiver: JSON.parse(row.waiver) as WaiverOutcome,
    }),
    since: toIso(row.since),
  };
}

function toScoreContent(
  ref: string,
  scorecard: ScorecardResult,
  failing: string[],
  definitions: string | undefined,
): ScoreContent {
  return {
    entity_ref: ref,
    scorecard_id: scorecard.scorecardId,
    level: scorecard.level,
    level_index: scorecard.levelIndex,
    score: scorecard.score,
    counts: stableStringify(scorecard.counts),
    failing: JSON.stringify(failing),
    failing_count: failing.length,
    next_level:
      scorecard.nextLevel === undefined
        ? null
        : stableStringify(scorecard.nextLevel),
    definitions: definitions ?? null,
  };
}

function fromScoreRow(row: ScoreRow): StoredScorecardResult {
  return {
    scorecardId: row.scorecard_id,
    level: row.level,
    levelIndex: Number(row.level_index),
    score: Number(row.score),
    ...(row.next_level !== null && { nextLevel: JSON.parse(row.next_level) }),
    counts: JSON.parse(row.counts),
    since: toIso(row.since),
  };
}

function fromScoreListRow(row: ScoreListRow): EntityScoreRow {
  return {
    ...fromEntityRow(row),
    scorecardId: row.scorecard_id,
    level: row.level,
    levelIndex: Number(row.level_index),
    score: Number(row.score),
    counts: JSON.parse(row.counts),
    failing: JSON.parse(row.failing),
    since: toIso(row.since),
  };
}

function fromHistoryRow(row: HistoryRow): HistoryEvent {
  const at = toIso(row.at);
  if (row.type === 'check') {
    return {
      type: 'check',
      entityRef: row.entity_ref,
      checkId: row.subject_id,
      status: row.status as CheckStatus,
      ...(row.previous_status !== null && {
        previousStatus: row.previous_status as CheckStatus,
      }),
      at,
    };
  }
  if (row.type === 'scorecard') {
    return {
      type: 'scorecard',
      entityRef: row.entity_ref,
      scorecardId: row.subject_id,
      level: row.level,
      score: Number(row.score),
      // A score is always present after a first appearance, so it tells whether a previous
      // level (possibly null: no level) was recorded.
      ...(row.previous_score !== null && {
        previousLevel: row.previous_level,
        previousScore: Number(row.previous_score),
      }),
      ...(row.failing !== null && { failing: Number(row.failing) }),
      ...(Boolean(row.definitions_changed) && { definitionsChanged: true }),
      at,
    };
  }
  return { type: 'removed', entityRef: row.entity_ref, at };
}

function fromFactRow(row: FactRow): Fact {
  return {
    entityRef: row.entity_ref,
    name: row.name,
    value: JSON.parse(row.value),
    observedAt: toIso(row.observed_at),
    ...(row.fresh_for !== null && { freshFor: row.fresh_for }),
    ...(row.source !== null && { source: row.source }),
  };
}

function fromWaiverRow(row: WaiverRow): StoredWaiver {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    checkId: row.check_id,
    reason: row.reason,
    expiresAt: toIso(row.expires_at),
    grantedBy: row.granted_by,
    createdAt: toIso(row.created_at),
    source: 'api',
    ...(row.revoked_at !== null && { revokedAt: toIso(row.revoked_at) }),
    ...(row.revoked_by !== null && { revokedBy: row.revoked_by }),
  };
}

function fromRunRow(row: RunRow): RunRecord {
  return {
    id: row.id,
    trigger: row.trigger as RunRecord['trigger'],
    status: row.status as RunRecord['status'],
    startedAt: toIso(row.started_at),
    ...(row.finished_at !== null && { finishedAt: toIso(row.finished_at) }),
    ...(row.duration_ms !== null && { durationMs: Number(row.duration_ms) }),
    entities: Number(row.entities),
    changed: Number(row.changed),
    removed: Number(row.removed),
    definitionsFingerprint: row.definitions_fingerprint,
    ...(row.error !== null && { error: row.error }),
  };
}

function groupByEntity<T extends { entity_ref: string }>(
  rows: T[],
): Map<string, T[]> {
  const result = new Map<string, T[]>();
  for (const row of rows) {
    pushTo(result, row.entity_ref, row);
  }
  return result;
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T) {
  const list = map.get(key);
  if (list) {
    list.push(value);
  } else {
    map.set(key, [value]);
  }
}

function compareStrings(a: string, b: string): number {
  if (a < b) {
    return -1;
  }
  return a > b ? 1 : 0;
}

/**
 * Reads a timestamp column. PostgreSQL and MySQL return dates; SQLite returns what knex bound,
 * which for a `Date` is milliseconds since the epoch.
 */
function toDate(value: DbTimestamp): Date {
  if (value instanceof Date) {
    return value;
  }
  if (typeof value === 'number') {
    return new Date(value);
  }
  if (/^\d+$/.test(value)) {
    return new Date(Number(value));
  }
  // Text without an offset comes from SQL defaults, which are UTC.
  const hasZone = /(?:[zZ]|[+-]\d\d:?\d\d)$/.test(value);
  return new Date(hasZone ? value : `${value.replace(' ', 'T')}Z`);
}

function toIso(value: DbTimestamp): string {
  return toDate(value).toISOString();
}
