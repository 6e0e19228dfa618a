// @ts-check

// Entity refs are bounded by the catalog's own limits (63 characters per kind, namespace and
// name), so 512 leaves ample room while keeping a composite key of (entity ref, check id)
// within MySQL's 3072-byte index limit under utf8mb4 (4 bytes a character: 512 + 255 = 767).
const REF_LENGTH = 512;
const ID_LENGTH = 255;

/**
 * Millisecond precision, so timestamps read back exactly as written on every database.
 *
 * @type {{ useTz: boolean, precision: number }}
 */
const TIMESTAMP = { useTz: true, precision: 3 };

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('scorecards_entities', table => {
    table.comment('Evaluated entities: catalog info used for grouping');
    table.string('entity_ref', REF_LENGTH).primary().notNullable();
    table.string('kind', ID_LENGTH).notNullable();
    table.string('type', ID_LENGTH).nullable();
    table.text('title').nullable();
    table.string('lifecycle', ID_LENGTH).nullable();
    table.string('owner_ref', REF_LENGTH).nullable();
    table.string('system_ref', REF_LENGTH).nullable();
    table.string('domain_ref', REF_LENGTH).nullable();
    table
      .string('evaluation_hash', 64)
      .notNullable()
      .comment(
        'Hash of the info and evaluation last stored, to skip unchanged writes',
      );
    table.datetime('updated_at', TIMESTAMP).notNullable();
    table.index(['owner_ref'], 'scorecards_entities_owner_idx');
    table.index(['system_ref'], 'scorecards_entities_system_idx');
    table.index(['domain_ref'], 'scorecards_entities_domain_idx');
  });

  await knex.schema.createTable('scorecards_check_results', table => {
    table.comment('Latest result of each check on each entity');
    table.string('entity_ref', REF_LENGTH).notNullable();
    table.string('check_id', ID_LENGTH).notNullable();
    table.string('status', 32).notNullable();
    table.text('observed').nullable().comment('JSON');
    table.text('expected').nullable();
    table.text('explanation').notNullable();
    table.boolean('enforced').notNullable();
    table.text('waiver').nullable().comment('JSON');
    table.datetime('since', TIMESTAMP).notNullable();
    table.primary(['entity_ref', 'check_id']);
    // Serves "entities failing check X" and the per-check rollups.
    table.index(['check_id', 'status'], 'scorecards_check_results_check_idx');
  });

  await knex.schema.createTable('scorecards_scores', table => {
    table.comment('Latest standing of each entity against each scorecard');
    table.string('entity_ref', REF_LENGTH).notNullable();
    table.string('scorecard_id', ID_LENGTH).notNullable();
    table.string('level', ID_LENGTH).nullable();
    table.integer('level_index').notNullable();
    table.double('score').notNullable();
    table.text('counts').notNullable().comment('JSON');
    table.text('failing').notNullable().comment('JSON array of check ids');
    table.integer('failing_count').notNullable();
    table.text('next_level').nullable().comment('JSON');
    table.datetime('since', TIMESTAMP).notNullable();
    table.primary(['entity_ref', 'scorecard_id']);
    table.index(['scorecard_id', 'score'], 'scorecards_scores_score_idx');
    table.index(['scorecard_id', 'level_index'], 'scorecards_scores_level_idx');
  });

  await knex.schema.createTable('scorecards_history', table => {
    table.comment('Change log of check statuses and scorecard standings');
    table.bigIncrements('id');
    table.string('entity_ref', REF_LENGTH).notNullable();
    table
      .string('type', 16)
      .notNullable()
      .comment('check | scorecard | removed');
    table
      .string('subject_id', ID_LENGTH)
      .notNullable()
      .comment('Check or scorecard id; empty for removed');
    table.string('status', 32).nullable();
    table.string('previous_status', 32).nullable();
    table.string('level', ID_LENGTH).nullable();
    table.string('previous_level', ID_LENGTH).nullable();
    table.double('score').nullable();
    table
      .double('previous_score')
      .nullable()
      .comment('Null when the subject first appeared');
    table.datetime('at', TIMESTAMP).notNullable();
    table.index(['entity_ref', 'at'], 'scorecards_history_entity_idx');
    table.index(['type', 'subject_id', 'at'], 'scorecards_history_subject_idx');
  });

  await knex.schema.createTable('scorecards_facts', table => {
    table.comment('Values about entities pushed by other systems');
    table.string('entity_ref', REF_LENGTH).notNullable();
    table.string('name', ID_LENGTH).notNullable();
    table.text('value').notNullable().comment('JSON');
    table.datetime('observed_at', TIMESTAMP).notNullable();
    table.string('fresh_for', 64).nullable().comment('ISO-8601 duration');
    table.string('source', ID_LENGTH).nullable();
    table.datetime('updated_at', TIMESTAMP).notNullable();
    table.primary(['entity_ref', 'name']);
  });

  await knex.schema.createTable('scorecards_waivers', table => {
    table.comment('Waivers granted through the API');
    table.string('id', 36).primary().notNullable();
    table.string('entity_ref', REF_LENGTH).notNullable();
    table.string('check_id', ID_LENGTH).notNullable();
    table.text('reason').notNullable();
    table.datetime('expires_at', TIMESTAMP).notNullable();
    table.string('granted_by', REF_LENGTH).notNullable();
    table.datetime('created_at', TIMESTAMP).notNullable();
    table.datetime('revoked_at', TIMESTAMP).nullable();
    table.string('revoked_by', REF_LENGTH).nullable();
    table.index(['entity_ref'], 'scorecards_waivers_entity_idx');
    table.index(['created_at'], 'scorecards_waivers_created_idx');
  });

  await knex.schema.createTable('scorecards_runs', table => {
    table.comment('Evaluation runs');
    table.string('id', 36).primary().notNullable();
    table.string('trigger', 16).notNullable();
    table.string('status', 16).notNullable();
    table.datetime('started_at', TIMESTAMP).notNullable();
    table.datetime('finished_at', TIMESTAMP).nullable();
    table.integer('duration_ms').nullable();
    table.integer('entities').notNullable().defaultTo(0);
    table.integer('changed').notNullable().defaultTo(0);
    table.integer('removed').notNullable().defaultTo(0);
    table.string('definitions_fingerprint', ID_LENGTH).notNullable();
    table.text('error').nullable();
    table.index(['started_at'], 'scorecards_runs_started_idx');
  });

  await knex.schema.createTable('scorecards_state', table => {
    table.comment('Small pieces of plugin state');
    table.string('key', ID_LENGTH).primary().notNullable();
    table.text('value').notNullable().comment('JSON');
  });

  await knex.schema.createTable('scorecards_version', table => {
    table.comment(
      'Single-row counter that moves whenever the latest results change',
    );
    table.integer('id').primary().notNullable();
    table.bigInteger('version').notNullable();
  });
  await knex('scorecards_version').insert({ id: 1, version: 0 });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('scorecards_version');
  await knex.schema.dropTable('scorecards_state');
  await knex.schema.dropTable('scorecards_runs');
  await knex.schema.dropTable('scorecards_waivers');
  await knex.schema.dropTable('scorecards_facts');
  await knex.schema.dropTable('scorecards_history');
  await knex.schema.dropTable('scorecards_scores');
  await knex.schema.dropTable('scorecards_check_results');
  await knex.schema.dropTable('scorecards_entities');
};
