export { scorecardsApiRef } from './ScorecardsApi';
export type {
  EntitiesRequest,
  HeatmapRequest,
  IndicatorsRequest,
  RollupRequest,
  ScorecardsApi,
  TrendsRequest,
} from './ScorecardsApi';
export { ScorecardsClient } from './ScorecardsClient';
