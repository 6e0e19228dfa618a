// @ts-check

/**
 * Indexes that serve each sort of the drill-down as keyset pages: the sort's columns, then the
 * entity ref that breaks ties, within one scorecard. MySQL and MariaDB append the primary key
 * (entity ref, scorecard id) to every secondary index themselves, and could not hold the ref
 * in the key besides (3072 bytes at most): there the sort's columns are enough.
 *
 * @param {import('knex').Knex} knex
 */
function indexes(knex) {
  const withRef = !String(knex.client.config.client).startsWith('mysql');
  const ref = withRef ? ['entity_ref'] : [];
  return {
    scorecards_scores_score_idx: ['scorecard_id', 'score', ...ref],
    scorecards_scores_level_idx: [
      'scorecard_id',
      'level_index',
      'score',
      ...ref,
    ],
    scorecards_scores_failing_idx: ['scorecard_id', 'failing_count', ...ref],
    scorecards_scores_since_idx: ['scorecard_id', 'since', ...ref],
    scorecards_scores_name_idx: ['scorecard_id', ...ref],
  };
}

/** The indexes of the first schema, which the new ones replace. */
const REPLACED = {
  scorecards_scores_score_idx: ['scorecard_id', 'score'],
  scorecards_scores_level_idx: ['scorecard_id', 'level_index'],
};

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('scorecards_scores', table => {
    for (const [name, columns] of Object.entries(REPLACED)) {
      table.dropIndex(columns, name);
    }
  });
  await knex.schema.alterTable('scorecards_scores', table => {
    for (const [name, columns] of Object.entries(indexes(knex))) {
      table.index(columns, name);
    }
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('scorecards_scores', table => {
    for (const [name, columns] of Object.entries(indexes(knex))) {
      table.dropIndex(columns, name);
    }
  });
  await knex.schema.alterTable('scorecards_scores', table => {
    for (const [name, columns] of Object.entries(REPLACED)) {
      table.index(columns, name);
    }
  });
};
