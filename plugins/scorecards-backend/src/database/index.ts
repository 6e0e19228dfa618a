export type {
  EntityEvaluationRecord,
  EntityInfo,
  EntityScoreRow,
  HistoryEvent,
  RunRecord,
  ScoreFilter,
  ScorePageRequest,
  ScoreSortField,
  ScorecardsStore,
  StoredCheckResult,
  StoredEntityResults,
  StoredScorecardResult,
  StoredWaiver,
  WriteSummary,
} from './ScorecardsStore';
export { DatabaseScorecardsStore } from './DatabaseScorecardsStore';
