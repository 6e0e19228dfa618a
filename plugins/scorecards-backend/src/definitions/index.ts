/**
 * Reading checks and scorecards from app-config, with the built-in "Production readiness"
 * scorecard.
 */

export {
  createScorecardEngine,
  defaultScorecardId,
  readScorecardDefinitions,
} from './readScorecardDefinitions';
export type { ReadScorecardDefinitionsOptions } from './readScorecardDefinitions';
export { BUILTIN_CHECKS, BUILTIN_SCORECARD } from './builtin';
export {
  defaultIndicators,
  readIndicators,
  INDICATOR_ENTITY_PATHS,
  MAX_INDICATORS,
} from './readIndicators';
export type { IndicatorDefinition } from './readIndicators';
