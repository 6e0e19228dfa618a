// @ts-check

/**
 * Indexes only the history events that came from a history source: the plugin's own events,
 * nearly all of them, have no source and were each written to the index for nothing, on every
 * run. PostgreSQL and SQLite index the imported events alone, which a lookup of one source still
 * finds; MySQL has no partial indexes and keeps the whole one.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  if (isMysql(knex)) return;
  await knex.schema.alterTable('scorecards_history', table => {
    table.dropIndex(['source'], 'scorecards_history_source_idx');
  });
  await knex.schema.alterTable('scorecards_history', table => {
    table.index(['source'], 'scorecards_history_source_idx', {
      predicate: knex.whereNotNull('source'),
    });
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  if (isMysql(knex)) return;
  await knex.schema.alterTable('scorecards_history', table => {
    table.dropIndex(['source'], 'scorecards_history_source_idx');
  });
  await knex.schema.alterTable('scorecards_history', table => {
    table.index(['source'], 'scorecards_history_source_idx');
  });
};

/** @param {import('knex').Knex} knex */
function isMysql(knex) {
  return String(knex.client.config.client).startsWith('mysql');
}
