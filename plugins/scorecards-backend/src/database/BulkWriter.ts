import { Knex } from 'knex';
import { CHECK_RESULTS, ENTITIES, HISTORY, SCORES } from './rows';

/** Lists up to this size go inline as `IN (?, ...)`, where planners estimate them best. */
const INLINE_LIST_LIMIT = 200;

/** Rows per multi-row insert (MySQL): bigger batches save round trips until statements get unwieldy. */
const MAX_ROWS_PER_INSERT = 2000;

/** PostgreSQL and MySQL accept 65535 bind parameters; stay well below. */
const MAX_VARIABLES = 30000;
/** SQLite's historical limit, assumed when the build does not say otherwise. */
const SQLITE_DEFAULT_MAX_VARIABLES = 999;

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
    search: 'text',
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
    source: 'text',
  },
};
const PG_ROWS_PER_UNNEST = 5000;

/**
 * SQLite gets rows as one JSON array of arrays that `json_each` unpacks: a multi-row insert
 * would be a compound SELECT of at most 500 terms, which knex builds and SQLite parses for
 * every batch.
 */
const SQLITE_ROWS_PER_JSON = 5000;

type Dialect = 'sqlite' | 'pg' | 'mysql';

/**
 * Writes and filters by lists of any length, each database the way it does best within its
 * limits: the one place that knows which database it talks to.
 */
export class BulkWriter {
  /** Detects the database behind a client and its limits. */
  static async create(db: Knex): Promise<BulkWriter> {
    const client = String(db.client.config.client ?? '');
    if (client.includes('sqlite')) {
      return new BulkWriter(
        'sqlite',
        Math.min(await sqliteMaxVariables(db), MAX_VARIABLES),
      );
    }
    if (client === 'pg' || client.startsWith('postgres')) {
      return new BulkWriter('pg', MAX_VARIABLES);
    }
    if (client.startsWith('mysql')) {
      return new BulkWriter('mysql', MAX_VARIABLES);
    }
    throw new Error(
      `The scorecards plugin supports SQLite, PostgreSQL and MySQL (or MariaDB) databases, not the '${client}' client`,
    );
  }

  private constructor(
    private readonly dialect: Dialect,
    private readonly maxVariables: number,
  ) {}

  /**
   * Restricts a query to rows whose column is in a list of any length. Long lists travel as
   * one JSON parameter that the database unpacks, which sidesteps bind-variable limits (999 on
   * some SQLite builds) and keeps one statement where chunking would need one per chunk.
   */
  whereInList<T extends Knex.QueryBuilder>(
    query: T,
    column: string,
    values: string[],
  ): T {
    if (values.length <= INLINE_LIST_LIMIT) {
      return query.whereIn(column, values) as T;
    }
    const json = JSON.stringify(values);
    if (this.dialect === 'sqlite') {
      return query.whereRaw('?? in (select value from json_each(?))', [
        column,
        json,
      ]) as T;
    }
    if (this.dialect === 'pg') {
      return query.whereRaw(
        '?? in (select jsonb_array_elements_text(cast(? as jsonb)))',
        [column, json],
      ) as T;
    }
    const size = this.maxVariables - 100;
    return query.where(q => {
      for (let i = 0; i < values.length; i += size) {
        q.orWhereIn(column, values.slice(i, i + size));
      }
    }) as T;
  }

  /** Inserts rows; with a key, rows whose key exists replace the stored ones. */
  async upsert(
    tx: Knex.Transaction,
    table: string,
    rows: object[],
    key?: string[],
  ): Promise<void> {
    if (rows.length === 0) {
      return;
    }
    const columns = Object.keys(rows[0]);
    const types = PG_COLUMN_TYPES[table];
    if (this.dialect === 'pg' && types) {
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
    if (this.dialect === 'sqlite') {
      for (let i = 0; i < rows.length; i += SQLITE_ROWS_PER_JSON) {
        await tx.raw(
          ...jsonEachInsert(
            table,
            columns,
            rows.slice(i, i + SQLITE_ROWS_PER_JSON),
            key,
          ),
        );
      }
      return;
    }
    const size = Math.max(
      1,
      Math.min(
        MAX_ROWS_PER_INSERT,
        Math.floor(this.maxVariables / columns.length),
      ),
    );
    for (let i = 0; i < rows.length; i += size) {
      const insert = tx(table).insert(rows.slice(i, i + size));
      await (key ? insert.onConflict(key).merge() : insert);
    }
  }

  /** Deletes rows by (entity ref, id) pairs; returns how many. */
  async deletePairs(
    tx: Knex.Transaction,
    table: string,
    idColumn: string,
    pairs: [string, string][],
  ): Promise<number> {
    const size = Math.floor(this.maxVariables / 2);
    let deleted = 0;
    for (let i = 0; i < pairs.length; i += size) {
      deleted += await tx(table)
        .whereIn(['entity_ref', idColumn], pairs.slice(i, i + size))
        .delete();
    }
    return deleted;
  }
}

async function sqliteMaxVariables(db: Knex): Promise<number> {
  try {
    const options: { compile_options: string }[] = await db.raw(
      'pragma compile_options',
    );
    const match = options
      .map(o => /^MAX_VARIABLE_NUMBER=(\d+)$/.exec(o.compile_options))
      .find(Boolean);
    if (match) {
      return Number(match[1]);
    }
  } catch {
    // Builds without the pragma keep the conservative default.
  }
  return SQLITE_DEFAULT_MAX_VARIABLES;
}

/** `on conflict (key) do update` of every other column; pushes its identifiers. */
function onConflictUpdate(
  columns: string[],
  key: string[],
  bindings: Knex.RawBinding[],
): string {
  const updated = columns.filter(column => !key.includes(column));
  bindings.push(...key, ...updated.flatMap(column => [column, column]));
  return ` on conflict (${key
    .map(() => '??')
    .join(', ')}) do update set ${updated
    .map(() => '?? = excluded.??')
    .join(', ')}`;
}

function jsonEachInsert(
  table: string,
  columns: string[],
  rows: object[],
  key?: string[],
): [string, Knex.RawBinding[]] {
  const values = rows as Record<string, unknown>[];
  // As knex binds them for SQLite: dates as milliseconds, booleans as 0 or 1.
  const json = JSON.stringify(
    values.map(row =>
      columns.map(column => {
        const value = row[column];
        if (value instanceof Date) return value.valueOf();
        if (typeof value === 'boolean') return Number(value);
        return value ?? null;
      }),
    ),
  );
  // `where true` tells SQLite that `on conflict` is the upsert's, not a join's.
  let sql = `insert into ?? (${columns
    .map(() => '??')
    .join(', ')}) select ${columns
    .map((_, i) => `json_extract(value, '$[${i}]')`)
    .join(', ')} from json_each(?) where true`;
  const bindings: Knex.RawBinding[] = [table, ...columns, json];
  if (key) {
    sql += onConflictUpdate(columns, key, bindings);
  }
  return [sql, bindings];
}

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
    ...columns.map(column => arrayLiteral(values.map(row => row[column]))),
  ];
  if (key) {
    sql += onConflictUpdate(columns, key, bindings);
  }
  return [sql, bindings];
}

/** Characters an element of an array literal escapes with a backslash. */
const NEEDS_ESCAPE = /["\\]/;
const NEEDS_ESCAPE_ALL = /["\\]/g;

/**
 * A PostgreSQL array literal of column values, as the driver would write an array parameter but
 * in one pass: elements without a quote or backslash are not rescanned, dates are UTC ISO text,
 * and the query builder checks one string where it would walk every element. At 50,000
 * entities a full run binds 1.5 million rows' values this way.
 */
function arrayLiteral(values: unknown[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) {
      parts[i] = 'NULL';
      continue;
    }
    let text: string;
    if (value instanceof Date) text = value.toISOString();
    else if (typeof value === 'object') text = JSON.stringify(value);
    else text = String(value);
    parts[i] = NEEDS_ESCAPE.test(text)
      ? `"${text.replace(NEEDS_ESCAPE_ALL, '\\$&')}"`
      : `"${text}"`;
  }
  return `{${parts.join(',')}}`;
}
