export { scorecardsApiRef } from './ScorecardsApi';
export type {
  EntitiesRequest,
  HeatmapRequest,
  RollupRequest,
  ScorecardsApi,
  TrendsRequest,
} from './ScorecardsApi';
export { ScorecardsClient } from './ScorecardsClient';
