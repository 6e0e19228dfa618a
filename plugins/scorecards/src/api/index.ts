export { scorecardsApiRef } from './ScorecardsApi';
export type { RollupRequest, ScorecardsApi } from './ScorecardsApi';
export { ScorecardsClient } from './ScorecardsClient';
