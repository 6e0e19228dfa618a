// @ts-check

/**
 * Waivers an entity declares that excuse nothing (they name no check, or none of its
 * scorecards'), as its last evaluation found them, for the entity's answer.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('scorecards_entities', table => {
    table
      .text('waiver_problems')
      .nullable()
      .comment('JSON array of waivers that excuse nothing, and why');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('scorecards_entities', table => {
    table.dropColumn('waiver_problems');
  });
};
