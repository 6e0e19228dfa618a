export { EntityScorecardContent } from './EntityScorecardContent';
export type { EntityScorecardContentProps } from './EntityScorecardContent';
