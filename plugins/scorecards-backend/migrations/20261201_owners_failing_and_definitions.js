// @ts-check

/**
 * What rollups and trends need to tell apart: whether an entity's owner is in the catalog, how
 * many checks failed at each scorecard change, and whether a change came with new definitions.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('scorecards_entities', table => {
    table
      .boolean('owner_exists')
      .nullable()
      .comment('Whether the owner is an entity of the catalog');
  });
  await knex.schema.alterTable('scorecards_scores', table => {
    table
      .string('definitions', 64)
      .nullable()
      .comment(
        'Fingerprint of the definitions of the scorecard the score was computed with',
      );
  });
  await knex.schema.alterTable('scorecards_history', table => {
    table
      .integer('failing')
      .nullable()
      .comment('Scorecard events: how many of its checks failed or errored');
    table
      .boolean('definitions_changed')
      .nullable()
      .comment(
        'Scorecard events: the scorecard definitions changed with this change',
      );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('scorecards_history', table => {
    table.dropColumn('definitions_changed');
    table.dropColumn('failing');
  });
  await knex.schema.alterTable('scorecards_scores', table => {
    table.dropColumn('definitions');
  });
  await knex.schema.alterTable('scorecards_entities', table => {
    table.dropColumn('owner_exists');
  });
};
