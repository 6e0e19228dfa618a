import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { Fact, HistoryEvent } from '@guardrails/plugin-scorecards-common';

/**
 * Past results a history source gives, e.g. those of the tool an adopter moves from.
 *
 * @public
 */
export interface ScorecardsHistoryBatch {
  /**
   * Check, scorecard and `removed` events with their times, in any order. They go into the
   * history only: the latest results stay those of the plugin's runs. Events in the future, or
   * at or after the first event the plugin recorded for an entity, are left out.
   */
  events: HistoryEvent[];
  /**
   * Facts as they stand now, stored as if pushed through the API; a fact the store holds with a
   * later `observedAt` is kept.
   */
  facts?: Fact[];
  /**
   * Past values of facts, each with its `observedAt`, for indicators over time: kept in the
   * history of fact observations (an observation already kept, by entity, name and time, is not
   * kept twice), not as current facts.
   */
  factObservations?: Fact[];
}

/**
 * A source of past results, read once when the scorecards backend starts.
 *
 * @public
 */
export interface ScorecardsHistorySource {
  /**
   * Id of the source, e.g. `example-history` or `legacy-tool`. Each start imports the source
   * anew and replaces what it imported before, so `read` may return the same events every time.
   */
  id: string;
  /** Reads the source's events. A failure is logged, and the backend starts without them. */
  read(): Promise<ScorecardsHistoryBatch>;
}

/**
 * Lets backend modules import past results into the scorecards history, so trends and movers
 * reach back before the plugin's first run.
 *
 * @public
 */
export interface ScorecardsHistoryExtensionPoint {
  /** Adds a source; ids must not clash. */
  addHistorySource(source: ScorecardsHistorySource): void;
}

/**
 * The extension point of the scorecards backend for importing history.
 *
 * @public
 */
export const scorecardsHistoryExtensionPoint =
  createExtensionPoint<ScorecardsHistoryExtensionPoint>({
    id: 'scorecards.history',
  });
