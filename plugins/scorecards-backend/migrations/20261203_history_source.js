// @ts-check

/**
 * Where a history event came from: null for what the plugin recorded itself, or the id of the
 * history source it was imported from, so that importing a source again replaces what it gave.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('scorecards_history', table => {
    table
      .string('source', 255)
      .nullable()
      .comment(
        'Id of the history source it was imported from; null if recorded',
      );
    table.index(['source'], 'scorecards_history_source_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('scorecards_history', table => {
    table.dropIndex(['source'], 'scorecards_history_source_idx');
    table.dropColumn('source');
  });
};
