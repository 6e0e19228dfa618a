export { scorecardsApiRef } from './ScorecardsApi';
export type { ScorecardsApi } from './ScorecardsApi';
export { ScorecardsClient } from './ScorecardsClient';
