export { stableStringify } from '../engine';
import type {
  CheckStatus,
  Fact,
  WaiverOutcome,
} from '@guardrails/plugin-scorecards-common';
import type {
  EntityInfo,
  EntityScoreRow,
  HistoryEvent,
  RunRecord,
  StoredCheckResult,
  StoredScorecardResult,
  StoredWaiver,
} from './ScorecardsStore';

/** The plugin's tables. */
export const ENTITIES = 'scorecards_entities';
export const CHECK_RESULTS = 'scorecards_check_results';
export const SCORES = 'scorecards_scores';
export const HISTORY = 'scorecards_history';
export const FACTS = 'scorecards_facts';
export const FACT_OBSERVATIONS = 'scorecards_fact_observations';
export const WAIVERS = 'scorecards_waivers';
export const RUNS = 'scorecards_runs';
export const STATE = 'scorecards_state';
export const VERSION = 'scorecards_version';

/** A timestamp column as a driver returns it. */
export type DbTimestamp = Date | number | string;

/** A row of {@link ENTITIES}. */
export type EntityRow = {
  entity_ref: string;
  kind: string;
  type: string | null;
  title: string | null;
  lifecycle: string | null;
  owner_ref: string | null;
  owner_exists: boolean | number | null;
  system_ref: string | null;
  domain_ref: string | null;
  /** JSON of the evaluation's waiver problems, null when there are none. */
  waiver_problems: string | null;
  evaluation_hash: string;
  updated_at: DbTimestamp;
  evaluated_at?: DbTimestamp | null;
};

/** The columns of an entity row that {@link EntityInfo} reads. */
export type EntityInfoRow = Omit<
  EntityRow,
  'evaluation_hash' | 'updated_at' | 'waiver_problems'
>;

/** The columns of {@link EntityInfoRow}, to select. */
export const ENTITY_INFO_COLUMNS = [
  'entity_ref',
  'kind',
  'type',
  'title',
  'lifecycle',
  'owner_ref',
  'owner_exists',
  'system_ref',
  'domain_ref',
] as const satisfies ReadonlyArray<keyof EntityInfoRow>;

/** A row of {@link CHECK_RESULTS}. */
export type CheckResultRow = {
  entity_ref: string;
  check_id: string;
  status: string;
  observed: string | null;
  expected: string | null;
  explanation: string;
  enforced: boolean | number;
  waiver: string | null;
  since: DbTimestamp;
};

/** A row of {@link SCORES}. */
export type ScoreRow = {
  entity_ref: string;
  scorecard_id: string;
  level: string | null;
  level_index: number;
  score: number;
  counts: string;
  failing: string;
  failing_count: number;
  next_level: string | null;
  /** Fingerprint of the scorecard's definitions; null before it was kept. */
  definitions: string | null;
  /** The entity's ref and title in lower case, which a text search matches. */
  search: string;
  since: DbTimestamp;
};

/** The columns of a score row that listings read. */
export type ScoreListPart = Omit<
  ScoreRow,
  'failing_count' | 'next_level' | 'definitions' | 'search'
>;

/** A score row with its entity's info, as listings read it. */
export type ScoreListRow = ScoreListPart & EntityInfoRow;

/** A row of {@link HISTORY}. */
export type HistoryRow = {
  id?: number | string;
  entity_ref: string;
  type: HistoryEvent['type'];
  subject_id: string;
  status: string | null;
  previous_status: string | null;
  level: string | null;
  previous_level: string | null;
  score: number | null;
  previous_score: number | null;
  failing: number | null;
  definitions_changed: boolean | number | null;
  at: DbTimestamp;
  /** The history source it was imported from; null (or absent) when recorded by a run. */
  source?: string | null;
};

/** A row of {@link FACTS}. */
export type FactRow = {
  entity_ref: string;
  name: string;
  value: string;
  observed_at: DbTimestamp;
  fresh_for: string | null;
  source: string | null;
  updated_at: DbTimestamp;
};

/** A row of {@link WAIVERS}. */
export type WaiverRow = {
  id: string;
  entity_ref: string;
  check_id: string;
  reason: string;
  expires_at: DbTimestamp;
  granted_by: string;
  created_at: DbTimestamp;
  revoked_at: DbTimestamp | null;
  revoked_by: string | null;
};

/** A row of {@link RUNS}. */
export type RunRow = {
  id: string;
  trigger: string;
  status: string;
  started_at: DbTimestamp;
  finished_at: DbTimestamp | null;
  duration_ms: number | null;
  entities: number;
  changed: number;
  removed: number;
  definitions_fingerprint: string;
  error: string | null;
};

/** The entity columns that hold an entity's info. */
export function toEntityInfoRow(info: EntityInfo): EntityInfoRow {
  return {
    entity_ref: info.entityRef,
    kind: info.kind,
    type: info.type ?? null,
    title: info.title ?? null,
    lifecycle: info.lifecycle ?? null,
    owner_ref: info.ownerRef ?? null,
    owner_exists: info.ownerExists ?? null,
    system_ref: info.systemRef ?? null,
    domain_ref: info.domainRef ?? null,
  };
}

/** An entity's info, read back from its row. */
export function fromEntityRow(row: EntityInfoRow): EntityInfo {
  return {
    entityRef: row.entity_ref,
    kind: row.kind,
    ...(row.type !== null && { type: row.type }),
    ...(row.title !== null && { title: row.title }),
    ...(row.lifecycle !== null && { lifecycle: row.lifecycle }),
    ...(row.owner_ref !== null && { ownerRef: row.owner_ref }),
    ...(row.owner_exists !== null && {
      ownerExists: Boolean(row.owner_exists),
    }),
    ...(row.system_ref !== null && { systemRef: row.system_ref }),
    ...(row.domain_ref !== null && { domainRef: row.domain_ref }),
  };
}

/** A check result, read back from its row. */
export function fromCheckRow(row: CheckResultRow): StoredCheckResult {
  return {
    checkId: row.check_id,
    status: row.status as CheckStatus,
    ...(row.observed !== null && { observed: JSON.parse(row.observed) }),
    ...(row.expected !== null && { expected: row.expected }),
    explanation: row.explanation,
    enforced: Boolean(row.enforced),
    ...(row.waiver !== null && {
      waiver: JSON.parse(row.waiver) as WaiverOutcome,
    }),
    since: toIso(row.since),
  };
}

/** A scorecard result, read back from its row. */
export function fromScoreRow(row: ScoreRow): StoredScorecardResult {
  return {
    scorecardId: row.scorecard_id,
    level: row.level,
    levelIndex: Number(row.level_index),
    score: Number(row.score),
    ...(row.next_level !== null && { nextLevel: JSON.parse(row.next_level) }),
    counts: JSON.parse(row.counts),
    since: toIso(row.since),
  };
}

/** A standing of a listing, read back from a score row joined with its entity. */
export function fromScoreListRow(row: ScoreListRow): EntityScoreRow {
  return {
    ...fromEntityRow(row),
    scorecardId: row.scorecard_id,
    level: row.level,
    levelIndex: Number(row.level_index),
    score: Number(row.score),
    counts: JSON.parse(row.counts),
    failing: JSON.parse(row.failing),
    since: toIso(row.since),
  };
}

/** A history event, read back from its row. */
export function fromHistoryRow(row: HistoryRow): HistoryEvent {
  const at = toIso(row.at);
  if (row.type === 'check') {
    return {
      type: 'check',
      entityRef: row.entity_ref,
      checkId: row.subject_id,
      status: row.status as CheckStatus,
      ...(row.previous_status !== null && {
        previousStatus: row.previous_status as CheckStatus,
      }),
      at,
    };
  }
  if (row.type === 'scorecard') {
    return {
      type: 'scorecard',
      entityRef: row.entity_ref,
      scorecardId: row.subject_id,
      level: row.level,
      score: Number(row.score),
      // A score is always present after a first appearance, so it tells whether a previous
      // level (possibly null: no level) was recorded.
      ...(row.previous_score !== null && {
        previousLevel: row.previous_level,
        previousScore: Number(row.previous_score),
      }),
      ...(row.failing !== null && { failing: Number(row.failing) }),
      ...(Boolean(row.definitions_changed) && { definitionsChanged: true }),
      at,
    };
  }
  return { type: 'removed', entityRef: row.entity_ref, at };
}

/** A fact, read back from its row. */
export function fromFactRow(row: FactRow): Fact {
  return {
    entityRef: row.entity_ref,
    name: row.name,
    value: JSON.parse(row.value),
    observedAt: toIso(row.observed_at),
    ...(row.fresh_for !== null && { freshFor: row.fresh_for }),
    ...(row.source !== null && { source: row.source }),
  };
}

/** A waiver made through the API, read back from its row. */
export function fromWaiverRow(row: WaiverRow): StoredWaiver {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    checkId: row.check_id,
    reason: row.reason,
    expiresAt: toIso(row.expires_at),
    grantedBy: row.granted_by,
    createdAt: toIso(row.created_at),
    source: 'api',
    ...(row.revoked_at !== null && { revokedAt: toIso(row.revoked_at) }),
    ...(row.revoked_by !== null && { revokedBy: row.revoked_by }),
  };
}

/** A run, read back from its row. */
export function fromRunRow(row: RunRow): RunRecord {
  return {
    id: row.id,
    trigger: row.trigger as RunRecord['trigger'],
    status: row.status as RunRecord['status'],
    startedAt: toIso(row.started_at),
    ...(row.finished_at !== null && { finishedAt: toIso(row.finished_at) }),
    ...(row.duration_ms !== null && { durationMs: Number(row.duration_ms) }),
    entities: Number(row.entities),
    changed: Number(row.changed),
    removed: Number(row.removed),
    definitionsFingerprint: row.definitions_fingerprint,
    ...(row.error !== null && { error: row.error }),
  };
}

/**
 * Reads a timestamp column. PostgreSQL and MySQL return dates; SQLite returns what knex bound,
 * which for a `Date` is milliseconds since the epoch.
 */
export function toDate(value: DbTimestamp): Date {
  if (value instanceof Date) {
    return value;
  }
  if (typeof value === 'number') {
    return new Date(value);
  }
  if (/^\d+$/.test(value)) {
    return new Date(Number(value));
  }
  // Text without an offset comes from SQL defaults, which are UTC.
  const hasZone = /(?:[zZ]|[+-]\d\d:?\d\d)$/.test(value);
  return new Date(hasZone ? value : `${value.replace(' ', 'T')}Z`);
}

/** Reads a timestamp column as an ISO timestamp. */
export function toIso(value: DbTimestamp): string {
  return toDate(value).toISOString();
}
