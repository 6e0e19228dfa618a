export { scorecardsApiRef } from './ScorecardsApi';
export type {
  EntitiesRequest,
  RollupRequest,
  ScorecardsApi,
  TrendsRequest,
} from './ScorecardsApi';
export { ScorecardsClient } from './ScorecardsClient';
