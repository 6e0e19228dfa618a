import type {
  CheckDefinition,
  CheckResult,
  CheckStatus,
  JsonValue,
  ScorecardDefinition,
  ScorecardLevel,
  ScorecardResult,
  Waiver,
  WaiverProblem,
} from './types';

/**
 * What the store keeps about an evaluated entity besides its results: the catalog facts that
 * rollups and drill-downs group and filter by.
 *
 * @public
 */
export interface EntityInfo {
  /** Full lower-case entity ref, `kind:namespace/name`. */
  entityRef: string;
  kind: string;
  /** `spec.type`, when the entity has one. */
  type?: string;
  title?: string;
  lifecycle?: string;
  /** Full ref of the owner (from the `ownedBy` relation), when there is one. */
  ownerRef?: string;
  /** Whether the owner is an entity of the catalog, when there is an owner. */
  ownerExists?: boolean;
  /** Full ref of the System the entity is part of, when there is one. */
  systemRef?: string;
  /** Full ref of the Domain, of the entity itself or of its System. */
  domainRef?: string;
}

/**
 * One row of the latest per-scorecard standing, for rollups and drill-downs.
 *
 * @public
 */
export interface EntityScoreRow extends EntityInfo {
  scorecardId: string;
  level: string | null;
  levelIndex: number;
  score: number;
  counts: Record<CheckStatus, number>;
  /** Ids of the scorecard's checks whose status is `fail` or `error`. */
  failing: string[];
  /** ISO timestamp since which the entity has had this level. */
  since: string;
}

/**
 * One change in an entity's history.
 *
 * @public
 */
export type HistoryEvent =
  | {
      type: 'check';
      entityRef: string;
      checkId: string;
      status: CheckStatus;
      /** Status before the change; absent when the check first appeared. */
      previousStatus?: CheckStatus;
      at: string;
    }
  | {
      type: 'scorecard';
      entityRef: string;
      scorecardId: string;
      level: string | null;
      score: number;
      previousLevel?: string | null;
      previousScore?: number;
      /** How many of the scorecard's checks failed or errored; absent in older history. */
      failing?: number;
      /**
       * The scorecard's definitions (its checks, rules, levels) changed with this change, so it
       * may not be the entity's doing.
       */
      definitionsChanged?: boolean;
      at: string;
    }
  | {
      /** The entity left the catalog. */
      type: 'removed';
      entityRef: string;
      at: string;
    };

/**
 * A waiver as stored, with its revocation if any.
 *
 * @public
 */
export interface StoredWaiver extends Waiver {
  id: string;
  createdAt: string;
  revokedAt?: string;
  revokedBy?: string;
}

/**
 * `GET /runs`: the most recent runs, newest first. For a caller who may not read every entity,
 * a run leaves out what counts or may name entities: `entities`, `changed`, `removed`, `error`.
 *
 * @public
 */
export interface RunsResponse {
  items: Array<
    Omit<RunRecord, 'entities' | 'changed' | 'removed' | 'error'> &
      Partial<Pick<RunRecord, 'entities' | 'changed' | 'removed' | 'error'>>
  >;
}

/**
 * A waiver declared in an entity's `catalog-info.yaml`, as the entity's last evaluation read it.
 *
 * @public
 */
export interface AnnotationWaiver extends Waiver {
  source: 'annotation';
  /** The annotation that declares it: `guardrails.dev/waive.<check-id>`. */
  annotation: string;
  /** Why it does not excuse the check, when it does not (e.g. it lasts longer than allowed). */
  problem?: string;
}

/**
 * `GET /waivers`: waivers made through the API, newest first, then those declared in
 * annotations, by entity and check.
 *
 * @public
 */
export interface WaiversResponse {
  items: Array<StoredWaiver | AnnotationWaiver>;
}

/**
 * The record of one evaluation run.
 *
 * @public
 */
export interface RunRecord {
  id: string;
  /** What started it: the schedule, or an on-demand request. */
  trigger: 'schedule' | 'manual';
  /**
   * `abandoned`: still recorded as running after its timeout, so it can no longer finish (the
   * backend running it stopped); the next run does not wait for it.
   */
  status: 'running' | 'succeeded' | 'failed' | 'abandoned';
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  /** Entities evaluated. */
  entities: number;
  /** Entities whose results changed and were written. */
  changed: number;
  /** Entities that left the catalog and were removed. */
  removed: number;
  /** Fingerprint of the definitions the run evaluated. */
  definitionsFingerprint: string;
  /** Why the run failed, when it did. */
  error?: string;
}

/**
 * `GET /definitions`: every check and scorecard the plugin evaluates.
 *
 * @public
 */
export interface DefinitionsResponse {
  checks: CheckDefinition[];
  scorecards: ScorecardDefinition[];
}

/**
 * One check's result on an entity, with what a reader needs to act on it.
 *
 * @public
 */
export interface CheckResultView extends CheckResult {
  /** ISO timestamp since which the check has had this status. */
  since: string;
  title: string;
  description: string;
  category: string;
  severity: CheckDefinition['severity'];
  remediation?: string;
  links?: CheckDefinition['links'];
  enforcedFrom?: string;
  /**
   * What the rule reads: entity paths (`metadata.annotations.<key>`, `metadata.links`, `spec.owner`,
   * `relations`) and facts (`facts.<name>`). Tells a reader whether the fix is in the entity's
   * `catalog-info.yaml` or in another system.
   */
  reads: string[];
}

/**
 * One scorecard on an entity: its level, score and the results of its checks.
 *
 * @public
 */
export interface ScorecardView extends ScorecardResult {
  title: string;
  description: string;
  /** The levels, lowest first, each with the checks it requires besides those below it. */
  levels: ScorecardLevel[];
  /** ISO timestamp since which the entity has had this level. */
  since: string;
  checks: CheckResultView[];
}

/**
 * Whether an entity has scorecard results, and if not, why.
 *
 * - `evaluated`: the entity has been evaluated; `scorecards` holds its results.
 * - `not-evaluated`: a scorecard applies to the entity, but no evaluation has reached it yet
 *   (the first run after it joined the catalog is pending).
 * - `not-applicable`: no scorecard applies to the entity.
 *
 * @public
 */
export type EntityScorecardsStatus =
  | 'evaluated'
  | 'not-evaluated'
  | 'not-applicable';

/**
 * `GET /entity` and `POST /entity/evaluate`: every scorecard of one entity.
 *
 * @public
 */
export interface EntityScorecardsResponse {
  entityRef: string;
  status: EntityScorecardsStatus;
  /** One sentence on why there are no results, when `status` is not `evaluated`. */
  reason?: string;
  /** ISO timestamp of the last evaluation, whether or not it changed anything. */
  evaluatedAt?: string;
  /** ISO timestamp of the last change of these results. */
  updatedAt?: string;
  /** Empty unless `status` is `evaluated`. */
  scorecards: ScorecardView[];
  /** Waivers of the entity that excuse nothing, and why; absent when there are none. */
  waiverProblems?: WaiverProblem[];
}

/**
 * `GET /entity/history`: what changed for one entity, newest first.
 *
 * @public
 */
export interface EntityHistoryResponse {
  entityRef: string;
  from: string;
  to: string;
  events: HistoryEvent[];
}

/**
 * How a set of entities stands against one scorecard.
 *
 * @public
 */
export interface RollupSummary {
  entities: number;
  /** Mean score, one decimal; null when there are no entities. */
  averageScore: number | null;
  /** Entities per level name; `none` counts those without a level. */
  levels: Record<string, number>;
  /** Entities with at least one failing (`fail` or `error`) check. */
  failing: number;
}

/**
 * A group in the org rollup: its own entities and those of every group below it.
 *
 * @public
 */
export interface GroupRollupNode extends RollupSummary {
  ref: string;
  title: string;
  type?: string;
  /** Entities owned directly by this group. */
  ownEntities: number;
  /**
   * How the entities owned directly by this group stand, apart from those of its children. For a
   * caller who may not read a group below it, that group's entities count here too (they are in
   * this group's totals and under no child shown), so `own` and the children's totals add up to
   * the group's; `ownEntities` still counts only the entities the group itself owns.
   */
  own: RollupSummary;
  /**
   * Pass rate per category of the scorecard's checks, over this group's entities and those of
   * every group below it, in the order of the scorecard's categories.
   */
  categories: CategoryPassRate[];
  /** The groups below it; empty where a `depth` cut the tree. */
  children: GroupRollupNode[];
  /** Whether the group has groups below it; given when the request set a `depth`. */
  hasChildren?: boolean;
}

/**
 * How the results of one category's checks stand over a set of entities.
 *
 * @public
 */
export interface CategoryPassRate {
  category: string;
  /** Results that pass or are waived. */
  pass: number;
  /** Results that fail or are in error. */
  fail: number;
  /** Share of `pass` in `pass + fail`, 0-100, one decimal; null when both are 0. */
  passRate: number | null;
}

/**
 * A System or Domain in a rollup.
 *
 * @public
 */
export interface RefRollupRow extends RollupSummary {
  ref: string;
  title?: string;
}

/**
 * A check in a rollup: how many entities have each status.
 *
 * @public
 */
export interface CheckRollupRow {
  checkId: string;
  title: string;
  category: string;
  severity: CheckDefinition['severity'];
  counts: Record<CheckStatus, number>;
  /** Entities where it is `fail` or `error`. */
  failing: number;
}

/**
 * A category in a rollup.
 *
 * @public
 */
export interface CategoryRollupRow {
  category: string;
  counts: Record<CheckStatus, number>;
  failing: number;
  /** Share of counted results (pass, waived, fail, error) that pass or are waived, 0-100. */
  passRate: number | null;
}

/**
 * `GET /rollup`: one scorecard aggregated along one dimension.
 *
 * @public
 */
export type RollupResponse = {
  scorecardId: string;
  /** The scorecard's title. */
  title: string;
  levels: string[];
  summary: RollupSummary;
} & (
  | {
      by: 'group';
      groups: GroupRollupNode[];
      /** Entities owned by a User of the catalog: a person rather than a team. */
      ownedByUsers: RollupSummary;
      /** Entities without an owner, or whose owner is neither a Group nor a User of the catalog. */
      unowned: RollupSummary;
    }
  | {
      by: 'system' | 'domain';
      rows: RefRollupRow[];
      /** Entities in no System (by system) or no Domain (by domain). */
      unassigned: RollupSummary;
    }
  | { by: 'check'; rows: CheckRollupRow[] }
  | { by: 'category'; rows: CategoryRollupRow[] }
);

/**
 * One cell of a heatmap: a row's entities against one check, or against every check of one
 * category.
 *
 * @public
 */
export interface HeatmapCell {
  /** The column's id: a check id or a category. */
  column: string;
  /** Results counted: entities the check applies to (for a category, results of its checks). */
  entities: number;
  /** Results that pass or are waived. */
  pass: number;
  /** Results that fail or are in error. */
  fail: number;
  /** Share of `pass` in `pass + fail`, 0-100, one decimal; null when both are 0. */
  passRate: number | null;
}

/**
 * One row of a heatmap: a group (with every group below it) or a System.
 *
 * @public
 */
export interface HeatmapRow {
  ref: string;
  title: string;
  /** Entities of the row that the scorecard applies to. */
  entities: number;
  cells: HeatmapCell[];
}

/**
 * `GET /heatmap`: the scope's child groups (a Domain's Systems; a System's owners) against the
 * scorecard's checks or categories.
 *
 * @public
 */
export interface HeatmapResponse {
  scorecardId: string;
  scope: string;
  axis: 'check' | 'category';
  columns: Array<{ id: string; title: string }>;
  rows: HeatmapRow[];
}

/**
 * `GET /entities`: one page of the drill-down.
 *
 * @public
 */
export interface EntitiesPageResponse {
  scorecardId: string;
  items: EntityScoreRow[];
  /** How many entities match, counted on the first page (kept until the results change) and carried by its cursors. */
  total: number;
  pageSize: number;
  /** The cursor of the next page; absent on the last. */
  nextCursor?: string;
  /** The cursor of the previous page; absent on the first. */
  prevCursor?: string;
}

/**
 * One point of a trend.
 *
 * @public
 */
export interface TrendPoint extends RollupSummary {
  at: string;
  /**
   * True when the scorecard's definitions changed since the previous point: scores may have
   * moved without anyone doing anything.
   */
  definitionsChanged?: boolean;
}

/**
 * An entity whose score moved over a trend's window.
 *
 * @public
 */
export interface TrendMover {
  entityRef: string;
  /**
   * The scorecard's checks whose status differs between the window's start and end, those that
   * moved the entity furthest its way first (for a regression, from passing to failing; for an
   * improvement, from failing to passing), then by severity weight.
   */
  causes: MoverCause[];
  fromScore: number | null;
  toScore: number | null;
  fromLevel: string | null;
  toLevel: string | null;
  /**
   * How much the score moved by the entity's own changes: changes that came with new scorecard
   * definitions are left out.
   */
  change: number;
}

/**
 * A check whose status changed over a trend's window, as a cause of an entity's move.
 *
 * @public
 */
export interface MoverCause {
  checkId: string;
  title: string;
  /** Status at the window's start; null when the check did not apply then. */
  from: CheckStatus | null;
  /** Status at the window's end; null when the check no longer applies. */
  to: CheckStatus | null;
}

/**
 * A team whose entities' average score moved over a trend's window.
 *
 * @public
 */
export interface TeamMover {
  /** The owning group's ref. */
  ref: string;
  title: string;
  /** Entities of the team scored at both ends of the window. */
  entities: number;
  /** Mean score of those entities at the window's start and end, one decimal. */
  fromScore: number;
  toScore: number;
  /** How much the mean moved by the entities' own changes, one decimal. */
  change: number;
  /**
   * The checks whose changes moved it most, with how many of the team's entities each check
   * started passing (`improved`) or stopped passing (`regressed`) on, biggest effect first.
   */
  causes: Array<{
    checkId: string;
    title: string;
    improved: number;
    regressed: number;
  }>;
}

/**
 * An entity that appeared over a trend's window.
 *
 * @public
 */
export interface NewTrendEntity {
  entityRef: string;
  /** When it was first scored in the window. */
  at: string;
  score: number | null;
  level: string | null;
}

/**
 * `GET /trends`: a scope's standing over time. `improved` and `regressed` list entities scored
 * at both ends of the window, by the change of their own doing, each with the checks that
 * caused it; an entity that moved only because the definitions changed is neither. Entities that
 * appeared in the window are `new`.
 *
 * @public
 */
export interface TrendsResponse {
  scorecardId: string;
  scope: string;
  interval: string;
  points: TrendPoint[];
  improved: TrendMover[];
  regressed: TrendMover[];
  /**
   * Teams (the groups owning the scope's entities directly, that the caller may read) by the
   * change of their mean score, 10 at most each way; a team whose mean did not move is in neither.
   */
  teams: { improved: TeamMover[]; regressed: TeamMover[] };
  /**
   * Entities without a standing at the window's start that were scored in it, newest first (at
   * most 10), and how many did; `score` and `level` are their standing at the window's end (null
   * when they were removed since).
   */
  new: { entities: NewTrendEntity[]; total: number };
}

/**
 * What a headline indicator measures.
 *
 * @public
 */
export type IndicatorMeasure =
  | {
      /** The share of the counted entities at or above a level of a scorecard. */
      type: 'level';
      scorecardId: string;
      level: string;
    }
  | {
      /** The share of the counted entities the check applies to that pass it (or are waived). */
      type: 'check';
      checkId: string;
    }
  | {
      /** An aggregate of a numeric fact across the counted entities that have it. */
      type: 'fact';
      fact: string;
      aggregate: 'median' | 'mean' | 'p90';
      /** The fact's unit as configured, e.g. `minutes`. */
      unit?: string;
    };

/**
 * An indicator's value at one time.
 *
 * @public
 */
export interface IndicatorValue {
  /** ISO timestamp the value is for. */
  at: string;
  /**
   * A share as a percentage (0-100, one decimal) for level and check measures; the aggregate for
   * a fact; null when nothing was counted then.
   */
  value: number | null;
  /** Entities counted: those with a standing (or, for a fact, a value) at that time. */
  entities: number;
  /** For a share: how many of them meet it. */
  meeting?: number;
}

/**
 * One headline indicator, now and 30 days ago.
 *
 * @public
 */
export interface IndicatorResult {
  id: string;
  title: string;
  description: string;
  measure: IndicatorMeasure;
  now: IndicatorValue;
  /** The value 30 days ago, from the history. */
  before: IndicatorValue;
  /** `now.value - before.value`, one decimal; null when either is null. */
  change: number | null;
  /** Whether a higher value is better (shares always are; a fact as configured). */
  higherIsBetter: boolean;
  /** For a fact measure: how fresh the values counted now are. */
  freshness?: {
    /** Values still within their `freshFor` (or without one). */
    fresh: number;
    /** Values past their `freshFor`. */
    stale: number;
    /** The oldest and newest observation counted. */
    oldestObservedAt: string | null;
    newestObservedAt: string | null;
  };
}

/**
 * `GET /indicators`: the headline indicators of a scope.
 *
 * @public
 */
export interface IndicatorsResponse {
  scope: string;
  indicators: IndicatorResult[];
}

/**
 * A fact as pushed to `POST /facts`.
 *
 * @public
 */
export interface FactInput {
  entityRef: string;
  name: string;
  value: JsonValue;
  /** ISO timestamp; defaults to the time of the request. */
  observedAt?: string;
  /** ISO-8601 duration the value stays fresh for. */
  freshFor?: string;
  source?: string;
}

/**
 * A waiver as requested through `POST /waivers`.
 *
 * @public
 */
export type WaiverInput = Pick<
  Waiver,
  'entityRef' | 'checkId' | 'reason' | 'expiresAt'
>;
