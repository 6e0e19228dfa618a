// @ts-check

const INDEX = 'scorecards_scores_search_trgm_idx';

/**
 * On PostgreSQL, a trigram index of each score row's search text, so that a drill-down search
 * finds and counts its matches from the index instead of reading every score row (about 35 ms
 * at 50,000 entities, for the count and again for a page of a search that matches few). It
 * needs the `pg_trgm` extension, which ships with PostgreSQL and which a database owner may
 * create (it is a trusted extension): when it is missing and cannot be created, searches read
 * the rows as before. Searches shorter than three characters have no trigram and read the rows.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  if (!isPostgres(knex)) return;
  const schema = await trigramSchema(knex);
  if (!schema) return;
  await knex.raw(`create index ?? on ?? using gin (?? ??.gin_trgm_ops)`, [
    INDEX,
    'scorecards_scores',
    'search',
    schema,
  ]);
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  if (!isPostgres(knex)) return;
  // The extension stays: other tables may use it.
  await knex.raw('drop index if exists ??', [INDEX]);
};

/**
 * The schema that holds `pg_trgm`, created where the plugin's tables are when the database has
 * no such extension yet; undefined when it cannot be created.
 *
 * @param {import('knex').Knex} knex
 * @returns {Promise<string | undefined>}
 */
async function trigramSchema(knex) {
  const installed = async () => {
    const result = await knex.raw(
      `select n.nspname as schema from pg_extension e
       join pg_namespace n on n.oid = e.extnamespace
       where e.extname = 'pg_trgm'`,
    );
    return result.rows[0]?.schema;
  };
  const existing = await installed();
  if (existing) return existing;
  try {
    // In a savepoint: a refusal (no privilege, no contrib package) leaves the migration's
    // transaction usable.
    await knex.transaction(async tx => {
      await tx.raw('create extension if not exists pg_trgm');
    });
  } catch {
    return undefined;
  }
  return installed();
}

/** @param {import('knex').Knex} knex */
function isPostgres(knex) {
  const client = String(knex.client.config.client);
  return client === 'pg' || client.startsWith('postgres');
}
