export type {
  EntityEvaluationRecord,
  EntityInfo,
  EntityScoreRow,
  HistoryEvent,
  OrgEntity,
  OrgGroup,
  OrgSnapshot,
  RunRecord,
  ScoreFilter,
  ScoreKey,
  ScorePage,
  ScorePageRequest,
  ScoreSort,
  ScoreSortField,
  ScorecardsStore,
  StoredCheckResult,
  StoredEntityResults,
  StoredScorecardResult,
  StoredWaiver,
  WriteSummary,
} from './ScorecardsStore';
export { DatabaseScorecardsStore } from './DatabaseScorecardsStore';
export { isScoreKey, scoreKey } from './scoreOrder';
