import { createHash } from 'node:crypto';
import type { ScoreFilter } from '../database';

/** Totals kept for one version of the store; the oldest go first beyond this. */
const MAX_TOTALS = 1000;

/**
 * The totals of the drill-down's first pages, kept while the store stands: counting every
 * matching row costs in proportion to the catalog, and the same listing is opened again and
 * again (a team's table, a leader's filtered view) between two runs. Any write to the results
 * moves the store's version, which drops every total.
 */
export class PageTotals {
  #version: number | undefined;
  readonly #totals = new Map<string, number>();

  /** The total of a filter at a version of the store, if it was counted. */
  get(version: number, filter: ScoreFilter): number | undefined {
    if (version !== this.#version) return undefined;
    return this.#totals.get(keyOf(filter));
  }

  /** Keeps the total of a filter, counted at a version of the store. */
  set(version: number, filter: ScoreFilter, total: number): void {
    // A count that began before a newer one was kept is of no use.
    if (this.#version !== undefined && version < this.#version) return;
    if (version !== this.#version) {
      this.#version = version;
      this.#totals.clear();
    }
    if (this.#totals.size >= MAX_TOTALS) {
      this.#totals.delete(this.#totals.keys().next().value!);
    }
    this.#totals.set(keyOf(filter), total);
  }
}

/** A filter as a short key: a caller's readable entities can be thousands of refs. */
function keyOf(filter: ScoreFilter): string {
  const json = JSON.stringify(
    Object.entries(filter)
      .filter(([, value]) => value !== undefined)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  return createHash('sha256').update(json).digest('base64url');
}
