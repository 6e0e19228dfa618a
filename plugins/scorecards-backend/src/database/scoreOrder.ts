import type { EntityScoreRow } from '@guardrails/plugin-scorecards-common';
import type { ScoreKey, ScoreSort } from './ScorecardsStore';

/** How a key value is typed: numbers, or text (refs, ids and ISO timestamps). */
type KeyPart = 'number' | 'text' | 'timestamp';

/** One column of a sort order, with the part of a row it reads. */
export interface SortColumn {
  column: string;
  order: 'asc' | 'desc';
  part: KeyPart;
  of(row: EntityScoreRow): string | number;
}

const ENTITY: Omit<SortColumn, 'order'> = {
  column: 's.entity_ref',
  part: 'text',
  of: row => row.entityRef,
};
const SCORECARD: Omit<SortColumn, 'order'> = {
  column: 's.scorecard_id',
  part: 'text',
  of: row => row.scorecardId,
};
const SCORE: Omit<SortColumn, 'order'> = {
  column: 's.score',
  part: 'number',
  of: row => row.score,
};

const LEADING: Record<ScoreSort['field'], Array<Omit<SortColumn, 'order'>>> = {
  score: [SCORE],
  level: [
    { column: 's.level_index', part: 'number', of: row => row.levelIndex },
    SCORE,
  ],
  name: [],
  failing: [
    {
      column: 's.failing_count',
      part: 'number',
      of: row => row.failing.length,
    },
  ],
  since: [{ column: 's.since', part: 'timestamp', of: row => row.since }],
};

/**
 * The columns a listing is ordered by: the sort's own, then the entity and the scorecard, so
 * that no two rows tie and a page boundary is a single point of the order.
 */
export function sortColumns(sort: ScoreSort | undefined): SortColumn[] {
  const order = sort?.order ?? 'asc';
  const leading = sort ? LEADING[sort.field].map(c => ({ ...c, order })) : [];
  const entityOrder = sort?.field === 'name' ? order : 'asc';
  return [
    ...leading,
    { ...ENTITY, order: entityOrder },
    { ...SCORECARD, order: 'asc' },
  ];
}

/** Where a row stands in a sort order: the key that pages continue after or before. */
export function scoreKey(
  row: EntityScoreRow,
  sort: ScoreSort | undefined,
): ScoreKey {
  return sortColumns(sort).map(c => c.of(row));
}

/** Whether a value read from outside is a key of this sort order. */
export function isScoreKey(
  key: unknown,
  sort: ScoreSort | undefined,
): key is ScoreKey {
  const columns = sortColumns(sort);
  return (
    Array.isArray(key) &&
    key.length === columns.length &&
    columns.every(({ part }, i) => {
      const value = key[i];
      if (part === 'number') {
        return typeof value === 'number' && Number.isFinite(value);
      }
      if (part === 'timestamp') {
        return typeof value === 'string' && !Number.isNaN(Date.parse(value));
      }
      return typeof value === 'string';
    })
  );
}
