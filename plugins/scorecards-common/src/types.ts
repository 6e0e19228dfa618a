import type { FilterPredicate } from '@backstage/filter-predicates';

/**
 * A JSON value, as found in entities, facts and observed values.
 *
 * @public
 */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * The outcome of one check on one entity.
 *
 * - `pass`: the rule holds.
 * - `fail`: the rule does not hold and the check is enforced.
 * - `warn`: the rule does not hold, but the check is advisory (severity `warning`) or not yet
 *   enforced (before its `enforcedFrom` date).
 * - `waived`: the rule does not hold, and a current waiver excuses it.
 * - `not-applicable`: the check does not apply to this entity (its `appliesTo` does not match).
 * - `error`: the data the rule reads is present but invalid (a malformed date, a non-numeric
 *   target); the explanation says what was found and what was expected.
 *
 * @public
 */
export type CheckStatus =
  | 'pass'
  | 'fail'
  | 'warn'
  | 'waived'
  | 'not-applicable'
  | 'error';

/**
 * Every check status, in the order they are usually shown (worst first).
 *
 * @public
 */
export const CHECK_STATUSES: readonly CheckStatus[] = [
  'error',
  'fail',
  'warn',
  'waived',
  'pass',
  'not-applicable',
];

/**
 * How much a check matters. Severity weights the score; a `warning` check is advisory: it can
 * only `warn`, and it does not count toward the score or block a level.
 *
 * @public
 */
export type CheckSeverity = 'critical' | 'high' | 'medium' | 'low' | 'warning';

/**
 * The weight of each severity in a scorecard's 0-100 score.
 *
 * @public
 */
export const CHECK_SEVERITY_WEIGHTS: Readonly<Record<CheckSeverity, number>> = {
  critical: 10,
  high: 5,
  medium: 3,
  low: 1,
  warning: 0,
};

/**
 * The categories of the built-in checks. Platform teams may add their own.
 *
 * @public
 */
export const BUILTIN_CHECK_CATEGORIES = [
  'ownership',
  'reliability',
  'observability',
  'security',
  'documentation',
  'delivery',
] as const;

/**
 * A link shown with a check, e.g. to the internal standard it enforces.
 *
 * @public
 */
export interface CheckLink {
  url: string;
  title: string;
}

/**
 * A rule: a `@backstage/filter-predicates` expression, extended with the value operators
 * `$notBlank` (a value that is not blank), `$matches` (regular expression), `$gt`, `$gte`, `$lt`,
 * `$lte` (numeric comparison), `$within` (an ISO date no older than an ISO-8601 duration, e.g.
 * `P180D`), `$entity` (a ref to a catalog entity) and `$link` (a link of a type). Text is
 * compared trimmed. Paths read the entity
 * (`metadata.annotations.<key>`, `spec.owner`, `relations`, ...) and its facts
 * (`facts.<name>.<field>`).
 *
 * @public
 */
export type RulePredicate = FilterPredicate | { [key: string]: unknown };

/**
 * One guardrail.
 *
 * @public
 */
export interface CheckDefinition {
  /** Stable identifier, kebab-case, unique across all checks. */
  id: string;
  /** Short title shown to service owners. */
  title: string;
  /** What the guardrail is and why it matters. */
  description: string;
  /** Grouping for rollups, e.g. `reliability`. */
  category: string;
  /** Weight in the score; `warning` makes the check advisory. */
  severity: CheckSeverity;
  /** Which entities the check is for; absent means every entity its scorecards apply to. */
  appliesTo?: FilterPredicate;
  /** When the check passes. */
  rule: RulePredicate;
  /** Markdown guidance on how to make the check pass. */
  remediation?: string;
  /** Further reading. */
  links?: CheckLink[];
  /**
   * ISO date from which failures count. Before it the check is advisory: a failure is `warn`,
   * and the check neither counts toward the score nor blocks a level.
   */
  enforcedFrom?: string;
}

/**
 * One level of a scorecard. Levels are cumulative: reaching a level requires its checks and
 * those of every level below it.
 *
 * @public
 */
export interface ScorecardLevel {
  /** Display name, e.g. `Gold`. */
  name: string;
  /** Ids of the checks this level requires (in addition to the levels below it). */
  checks: string[];
}

/**
 * A named set of checks with ordered levels.
 *
 * @public
 */
export interface ScorecardDefinition {
  id: string;
  title: string;
  description: string;
  /** Which entities the scorecard is for; absent means every entity. */
  appliesTo?: FilterPredicate;
  /** Ids of the checks it contains. */
  checks: string[];
  /** Levels from lowest to highest. */
  levels: ScorecardLevel[];
}

/**
 * All definitions the engine evaluates.
 *
 * @public
 */
export interface ScorecardDefinitions {
  checks: CheckDefinition[];
  scorecards: ScorecardDefinition[];
}

/**
 * Where a waiver was declared.
 *
 * @public
 */
export type WaiverSource = 'annotation' | 'api';

/**
 * A check excused for one entity until a date.
 *
 * @public
 */
export interface Waiver {
  /** Set for waivers created through the API. */
  id?: string;
  entityRef: string;
  checkId: string;
  reason: string;
  /** ISO timestamp after which the waiver stops counting. */
  expiresAt: string;
  /** Entity ref of who granted it; for annotation waivers, the entity's owner. */
  grantedBy: string;
  /** ISO timestamp of when it was granted. */
  createdAt?: string;
  source: WaiverSource;
}

/**
 * A value about an entity that does not live in the catalog.
 *
 * @public
 */
export interface Fact {
  entityRef: string;
  /** Name, as read by rules under `facts.<name>`, e.g. `chaos`. */
  name: string;
  value: JsonValue;
  /** ISO timestamp of when the value was observed. */
  observedAt: string;
  /** ISO-8601 duration the value stays fresh for; absent means it never goes stale. */
  freshFor?: string;
  /** Which system pushed it. */
  source?: string;
}

/**
 * The waiver applied to a result, or the reason a declared waiver did not apply.
 *
 * @public
 */
export interface WaiverOutcome {
  applied: boolean;
  waiver?: Waiver;
  /** Why a declared waiver does not count (expired, malformed). */
  problem?: string;
}

/**
 * The result of one check on one entity.
 *
 * @public
 */
export interface CheckResult {
  checkId: string;
  status: CheckStatus;
  /** The value the rule looked at, when there is one. */
  observed?: JsonValue;
  /** What the rule expected, in words. */
  expected?: string;
  /** One sentence a service owner understands without reading the rule. */
  explanation: string;
  /** False before the check's `enforcedFrom` date and for `warning` checks. */
  enforced: boolean;
  waiver?: WaiverOutcome;
}

/**
 * How one entity stands against one scorecard.
 *
 * @public
 */
export interface ScorecardResult {
  scorecardId: string;
  /** Name of the highest level reached, or null if none. */
  level: string | null;
  /** Index of that level (0 = lowest), or -1. */
  levelIndex: number;
  /** Severity-weighted share of counted checks that pass or are waived, 0-100. */
  score: number;
  /** The next level and the checks that block it. */
  nextLevel?: { name: string; blockedBy: string[] };
  /** How many of the scorecard's checks have each status. */
  counts: Record<CheckStatus, number>;
}

/**
 * A declared waiver that excuses no result: it names a check that does not exist, or one that
 * no scorecard of the entity includes (a typo in `guardrails.dev/waive.<check-id>` would
 * otherwise go unnoticed).
 *
 * @public
 */
export interface WaiverProblem {
  checkId: string;
  /** The annotation that declared it, for waivers declared in the entity. */
  annotation?: string;
  /** The API waiver's id. */
  waiverId?: string;
  problem: string;
}

/**
 * Everything the engine says about one entity.
 *
 * @public
 */
export interface EntityEvaluation {
  entityRef: string;
  /** Results of every check of every scorecard that applies to the entity. */
  checks: CheckResult[];
  scorecards: ScorecardResult[];
  /** Waivers that excuse no result, and why; absent when there are none. */
  waiverProblems?: WaiverProblem[];
}
