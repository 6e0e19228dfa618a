import type {
  CheckDefinition,
  CheckStatus,
  HeatmapCell,
  HeatmapResponse,
  HeatmapRow,
} from '@guardrails/plugin-scorecards-common';

/** A heatmap's row before it is counted: which counting keys (owners or Systems) it takes. */
export interface HeatmapRowSpec {
  ref: string;
  title: string;
  /** The owner or System refs whose entities belong to this row. */
  keys: ReadonlySet<string>;
  /** Entities of the row the scorecard applies to. */
  entities: number;
}

/** Statuses per check for one counting key, as the store counts them. */
export interface KeyedCheckCount {
  key: string | null;
  checkId: string;
  status: CheckStatus;
  count: number;
}

function rate(pass: number, fail: number): number | null {
  return pass + fail === 0
    ? null
    : Math.round((pass / (pass + fail)) * 1000) / 10;
}

/**
 * Counts a heatmap: for each row, each column (a check, or a category summing its checks) with
 * the results counted, how many pass (or are waived) and how many fail (or are in error).
 */
export function countHeatmap(options: {
  axis: HeatmapResponse['axis'];
  checks: CheckDefinition[];
  rows: HeatmapRowSpec[];
  counts: KeyedCheckCount[];
  categoryTitle: (category: string) => string;
}): Pick<HeatmapResponse, 'columns' | 'rows'> {
  const { axis, checks, rows, counts } = options;
  const columnOf = new Map(
    checks.map(c => [c.id, axis === 'check' ? c.id : c.category]),
  );
  const columns =
    axis === 'check'
      ? checks.map(c => ({ id: c.id, title: c.title }))
      : [...new Set(checks.map(c => c.category))].map(category => ({
          id: category,
          title: options.categoryTitle(category),
        }));
  const rowOfKey = new Map<string, number>();
  rows.forEach((row, index) => {
    for (const key of row.keys) rowOfKey.set(key, index);
  });

  const cells = rows.map(
    () =>
      new Map<string, { entities: number; pass: number; fail: number }>(
        columns.map(c => [c.id, { entities: 0, pass: 0, fail: 0 }]),
      ),
  );
  for (const { key, checkId, status, count } of counts) {
    const index = key === null ? undefined : rowOfKey.get(key);
    const column = columnOf.get(checkId);
    if (index === undefined || column === undefined) continue;
    if (status === 'not-applicable') continue;
    const cell = cells[index].get(column)!;
    cell.entities += count;
    if (status === 'pass' || status === 'waived') cell.pass += count;
    if (status === 'fail' || status === 'error') cell.fail += count;
  }

  return {
    columns,
    rows: rows.map(
      (row, index): HeatmapRow => ({
        ref: row.ref,
        title: row.title,
        entities: row.entities,
        cells: columns.map((column): HeatmapCell => {
          const cell = cells[index].get(column.id)!;
          return {
            column: column.id,
            ...cell,
            passRate: rate(cell.pass, cell.fail),
          };
        }),
      }),
    ),
  };
}
