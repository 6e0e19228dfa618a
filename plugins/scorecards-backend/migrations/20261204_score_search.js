// @ts-check

/**
 * The text a drill-down search matches, on each score row: its entity's ref and title, one per
 * line, in lower case. A search then reads the score rows alone, through the same index walk as
 * the page's sort, instead of joining every entity and lowering two columns of each. The text is
 * filled in here so that searches work at once; where the database lowers a title differently
 * (SQLite lowers ASCII only), the next run writes the store's own (its hash format moved with
 * this column).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('scorecards_scores', table => {
    table
      .text('search')
      .nullable()
      .comment("The entity's ref and title in lower case, one per line");
  });
  const mysql = String(knex.client.config.client).startsWith('mysql');
  const title = knex('scorecards_entities as e')
    .select(knex.raw('coalesce(??, ?)', ['e.title', '']))
    .where('e.entity_ref', knex.ref('scorecards_scores.entity_ref'));
  const text = mysql
    ? knex.raw('lower(concat(??, ?, (?)))', ['entity_ref', '\n', title])
    : knex.raw('lower(?? || ? || (?))', ['entity_ref', '\n', title]);
  await knex('scorecards_scores').update({ search: text });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('scorecards_scores', table => {
    table.dropColumn('search');
  });
};
