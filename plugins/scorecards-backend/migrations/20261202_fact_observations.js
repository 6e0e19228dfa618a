// @ts-check

/**
 * Every observation of a fact, as pushed, so that an indicator can tell what a fact was at a
 * past time: the facts table keeps only the latest value of each (entity, name).
 *
 * MySQL and MariaDB hold at most 3072 bytes in an index key, and the name and entity ref
 * (utf8mb4) take 3068 of them; there the index stops at the entity ref, to which InnoDB appends
 * the primary key.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const mysql = String(knex.client.config.client).startsWith('mysql');
  await knex.schema.createTable('scorecards_fact_observations', table => {
    table.comment('Every observation of a fact, for values at past times');
    table.bigIncrements('id');
    table.string('entity_ref', 512).notNullable();
    table.string('name', 255).notNullable();
    table.text('value').notNullable().comment('JSON');
    table.datetime('observed_at', { useTz: true, precision: 3 }).notNullable();
    table.index(
      mysql ? ['name', 'entity_ref'] : ['name', 'entity_ref', 'observed_at'],
      'scorecards_fact_observations_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('scorecards_fact_observations');
};
