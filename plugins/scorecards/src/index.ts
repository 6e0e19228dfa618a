/**
 * The Guardrails Scorecards frontend plugin: the scorecard of every entity, as a summary card on
 * its overview and a "Scorecard" tab, the rollup card of groups, systems and domains, and the org
 * rollup page. This entry point is for the legacy frontend system; the
 * new frontend system installs `@guardrails/plugin-scorecards/alpha`.
 *
 * @packageDocumentation
 */

export {
  scorecardsPlugin,
  EntityScorecardCard,
  EntityScorecardContent,
  EntityScorecardRollupCard,
  ScorecardsPage,
} from './plugin';
export { isScorecardAvailable } from './isScorecardAvailable';
export { scorecardsApiRef, ScorecardsClient } from './api';
export type {
  EntitiesRequest,
  HeatmapRequest,
  IndicatorsRequest,
  RollupRequest,
  ScorecardsApi,
  TrendsRequest,
} from './api';
export type { EntityScorecardCardProps } from './components/EntityScorecardCard';
export type { EntityScorecardContentProps } from './components/EntityScorecardContent';
export type { EntityScorecardRollupCardProps } from './components/EntityScorecardRollupCard';
export type { ScorecardsPageProps } from './components/ScorecardsPage';
export { scorecardsTranslationRef } from './translation';
