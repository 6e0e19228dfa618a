// @ts-check

/**
 * Runs write an entity only when its results change, so `updated_at` says when they last
 * changed, not when they were last looked at. An on-demand evaluation records its time here;
 * scheduled runs are dated by the runs table instead, which costs no write per entity.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('scorecards_entities', table => {
    table
      .datetime('evaluated_at', { useTz: true, precision: 3 })
      .nullable()
      .comment('Time of the last on-demand evaluation');
  });
  await knex.schema.alterTable('scorecards_runs', table => {
    table.index(['status', 'started_at'], 'scorecards_runs_status_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('scorecards_runs', table => {
    table.dropIndex(['status', 'started_at'], 'scorecards_runs_status_idx');
  });
  await knex.schema.alterTable('scorecards_entities', table => {
    table.dropColumn('evaluated_at');
  });
};
