/**
 * The scorecard engine: pure evaluation of checks and scorecards on catalog entities.
 */

export { ScorecardEngine } from './ScorecardEngine';
export type {
  EntityEvaluationResult,
  EvaluateInput,
  ScorecardEngineOptions,
} from './ScorecardEngine';
export {
  createCatalogIndex,
  entityRefOf,
  normalizeEntityRef,
} from './catalogIndex';
export type { CatalogIndex, CatalogIndexEntity } from './catalogIndex';
export { isFactFresh, observedAtOf } from './facts';
export { stableStringify } from './stableStringify';
export {
  MAX_WAIVER_REASON_LENGTH,
  WAIVER_ANNOTATION_PREFIX,
  declaredApiWaiver,
  limitWaiver,
  parseWaiverAnnotation,
  readWaiverAnnotations,
  selectWaiver,
} from './waivers';
export type { DeclaredWaiver } from './waivers';
