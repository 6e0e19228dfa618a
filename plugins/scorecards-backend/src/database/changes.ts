import type {
  CheckResult,
  CheckStatus,
  ScorecardResult,
} from '@guardrails/plugin-scorecards-common';
import { createHash } from 'node:crypto';
import {
  CheckResultRow,
  EntityRow,
  HistoryRow,
  ScoreRow,
  stableStringify,
  toDate,
  toEntityInfoRow,
} from './rows';
import type { EntityEvaluationRecord, HistoryEvent } from './ScorecardsStore';

/**
 * Part of every evaluation hash. Bump it when the rows derived from a record change shape, so
 * the next run rewrites every entity instead of trusting hashes of the old derivation.
 */
const HASH_FORMAT = 4;

/** The statuses that count as failing a check. */
export const FAILING_STATUSES: CheckStatus[] = ['fail', 'error'];

type CheckContent = Omit<CheckResultRow, 'since'>;
type ScoreContent = Omit<ScoreRow, 'since'>;

/**
 * What a record stores, as rows without their timestamps (which depend on the stored rows),
 * and a hash of exactly that content.
 */
export interface PreparedRecord {
  ref: string;
  entity: Omit<EntityRow, 'evaluation_hash' | 'updated_at'>;
  checks: CheckContent[];
  scores: ScoreContent[];
  hash: string;
}

/** What the store holds of an entity, to compare a new evaluation with. */
export interface StoredEntity {
  hash: string;
  updatedAt: Date;
  checks: CheckResultRow[];
  scores: ScoreRow[];
}

/** The rows to write for a set of changed entities. */
export interface WritePlan {
  entities: EntityRow[];
  checkUpserts: CheckResultRow[];
  /** (entity ref, check id) of the results to delete. */
  checkDeletes: [string, string][];
  scoreUpserts: ScoreRow[];
  /** (entity ref, scorecard id) of the standings to delete. */
  scoreDeletes: [string, string][];
  events: HistoryRow[];
}

/** The rows of a record, sorted so that the engine's order does not count, and their hash. */
export function prepareRecord(record: EntityEvaluationRecord): PreparedRecord {
  const ref = record.info.entityRef;
  const { checks, scorecards } = record.evaluation;

  const checksById = new Map(checks.map(check => [check.checkId, check]));
  const failing = checks.filter(c => FAILING_STATUSES.includes(c.status));
  const scoresById = new Map(scorecards.map(s => [s.scorecardId, s]));

  const problems = record.evaluation.waiverProblems;
  const prepared = {
    ref,
    entity: {
      ...toEntityInfoRow(record.info),
      waiver_problems: problems?.length ? stableStringify(problems) : null,
    },
    checks: [...checksById.values()]
      .map(check => toCheckContent(ref, check))
      .sort((a, b) => compareStrings(a.check_id, b.check_id)),
    scores: [...scoresById.values()]
      .map(scorecard => {
        const members = record.scorecardChecks?.[scorecard.scorecardId];
        const ids = (
          members ? failing.filter(c => members.includes(c.checkId)) : failing
        ).map(c => c.checkId);
        return toScoreContent(
          ref,
          scorecard,
          ids,
          record.scorecardFingerprints?.[scorecard.scorecardId],
          searchText(record.info),
        );
      })
      .sort((a, b) => compareStrings(a.scorecard_id, b.scorecard_id)),
  };
  // Values in the order the row builders fix, JSON values inside them already stable text:
  // plain JSON of these tuples is a stable serialization, and leaving keys out halves it.
  const hash = createHash('sha256')
    .update(
      JSON.stringify([
        HASH_FORMAT,
        Object.values(prepared.entity),
        prepared.checks.map(c => [
          c.check_id,
          c.status,
          c.observed,
          c.expected,
          c.explanation,
          c.enforced,
          c.waiver,
        ]),
        // The search text repeats the entity's ref and title, which the entity row holds.
        prepared.scores.map(({ entity_ref, search, ...score }) =>
          Object.values(score),
        ),
      ]),
    )
    .digest('hex');
  return { ...prepared, hash };
}

/**
 * The rows to write so that the store holds these records, given what it holds of each
 * (undefined for an entity never stored):
 *
 * - an entity whose hash is unchanged costs nothing;
 * - a result or standing is written only when its content changed, and keeps its `since` unless
 *   its status (or level) changed;
 * - the history records each change of a check's status and of a scorecard's level, score or
 *   number of failing checks, and each first appearance;
 * - `updated_at` moves only when a result changed (a new title alone does not move it, though it
 *   rewrites the score rows' search text).
 */
export function planWrite(
  records: PreparedRecord[],
  stored: ReadonlyMap<string, StoredEntity>,
  now: Date,
): WritePlan {
  const plan: WritePlan = {
    entities: [],
    checkUpserts: [],
    checkDeletes: [],
    scoreUpserts: [],
    scoreDeletes: [],
    events: [],
  };
  for (const prepared of changedRecords(records, stored)) {
    const previous = stored.get(prepared.ref);
    const before = rowsWritten(plan);
    diffChecks(prepared, previous?.checks ?? [], now, plan);
    // A score row rewritten for its search text alone (a new title) changes no result.
    const retitled = diffScores(prepared, previous?.scores ?? [], now, plan);
    plan.entities.push({
      ...prepared.entity,
      evaluation_hash: prepared.hash,
      updated_at:
        rowsWritten(plan) - retitled !== before || !previous
          ? now
          : previous.updatedAt,
    });
  }
  return plan;
}

/** The records whose content differs from what the store holds. */
export function changedRecords(
  records: PreparedRecord[],
  stored: ReadonlyMap<string, Pick<StoredEntity, 'hash'>>,
): PreparedRecord[] {
  return records.filter(
    prepared => stored.get(prepared.ref)?.hash !== prepared.hash,
  );
}

/** Result, score and history rows a plan writes (inserted, updated or deleted). */
export function rowsWritten(plan: WritePlan): number {
  return (
    plan.checkUpserts.length +
    plan.checkDeletes.length +
    plan.scoreUpserts.length +
    plan.scoreDeletes.length +
    plan.events.length
  );
}

/** The history event that records an entity's removal. */
export function removalEvent(ref: string, now: Date): HistoryRow {
  return emptyHistoryRow(ref, 'removed', '', now);
}

function diffChecks(
  prepared: PreparedRecord,
  previous: CheckResultRow[],
  now: Date,
  plan: WritePlan,
) {
  const { ref } = prepared;
  const previousById = new Map(previous.map(row => [row.check_id, row]));
  for (const content of prepared.checks) {
    const prev = previousById.get(content.check_id);
    previousById.delete(content.check_id);
    const statusChanged = prev?.status !== content.status;
    if (statusChanged || !sameCheck(prev, content)) {
      plan.checkUpserts.push({
        ...content,
        since: statusChanged ? now : toDate(prev.since),
      });
    }
    if (statusChanged) {
      plan.events.push({
        ...emptyHistoryRow(ref, 'check', content.check_id, now),
        status: content.status,
        previous_status: prev?.status ?? null,
      });
    }
  }
  for (const checkId of previousById.keys()) {
    plan.checkDeletes.push([ref, checkId]);
  }
}

/** Diffs the score rows into the plan; returns how many it rewrites for their search text alone. */
function diffScores(
  prepared: PreparedRecord,
  previous: ScoreRow[],
  now: Date,
  plan: WritePlan,
): number {
  const { ref } = prepared;
  const previousById = new Map(previous.map(row => [row.scorecard_id, row]));
  let retitled = 0;
  for (const content of prepared.scores) {
    const prev = previousById.get(content.scorecard_id);
    previousById.delete(content.scorecard_id);
    const levelChanged = !prev || prev.level !== content.level;
    const sameResult = !levelChanged && sameScore(prev, content);
    if (!sameResult || prev.search !== content.search) {
      plan.scoreUpserts.push({
        ...content,
        since: levelChanged ? now : toDate(prev.since),
      });
      if (sameResult) retitled += 1;
    }
    if (
      levelChanged ||
      Number(prev.score) !== content.score ||
      Number(prev.failing_count) !== content.failing_count
    ) {
      plan.events.push({
        ...emptyHistoryRow(ref, 'scorecard', content.scorecard_id, now),
        level: content.level,
        score: content.score,
        failing: content.failing_count,
        ...(prev && {
          previous_level: prev.level,
          previous_score: Number(prev.score),
          definitions_changed: prev.definitions !== content.definitions,
        }),
      });
    }
  }
  for (const scorecardId of previousById.keys()) {
    plan.scoreDeletes.push([ref, scorecardId]);
  }
  return retitled;
}

function sameCheck(a: CheckResultRow, b: CheckContent): boolean {
  return (
    a.status === b.status &&
    a.observed === b.observed &&
    a.expected === b.expected &&
    a.explanation === b.explanation &&
    Boolean(a.enforced) === Boolean(b.enforced) &&
    a.waiver === b.waiver
  );
}

function sameScore(a: ScoreRow, b: ScoreContent): boolean {
  return (
    a.level === b.level &&
    Number(a.level_index) === b.level_index &&
    Number(a.score) === b.score &&
    a.counts === b.counts &&
    a.failing === b.failing &&
    a.next_level === b.next_level &&
    a.definitions === b.definitions
  );
}

function emptyHistoryRow(
  ref: string,
  type: HistoryEvent['type'],
  subjectId: string,
  at: Date,
): HistoryRow {
  return {
    entity_ref: ref,
    type,
    subject_id: subjectId,
    status: null,
    previous_status: null,
    level: null,
    previous_level: null,
    score: null,
    previous_score: null,
    failing: null,
    definitions_changed: null,
    at,
  };
}

function toCheckContent(ref: string, check: CheckResult): CheckContent {
  return {
    entity_ref: ref,
    check_id: check.checkId,
    status: check.status,
    observed:
      check.observed === undefined ? null : stableStringify(check.observed),
    expected: check.expected ?? null,
    explanation: check.explanation,
    enforced: check.enforced,
    waiver: check.waiver === undefined ? null : stableStringify(check.waiver),
  };
}

function toScoreContent(
  ref: string,
  scorecard: ScorecardResult,
  failing: string[],
  definitions: string | undefined,
  search: string,
): ScoreContent {
  return {
    entity_ref: ref,
    scorecard_id: scorecard.scorecardId,
    level: scorecard.level,
    level_index: scorecard.levelIndex,
    score: scorecard.score,
    counts: stableStringify(scorecard.counts),
    failing: JSON.stringify(failing),
    failing_count: failing.length,
    next_level:
      scorecard.nextLevel === undefined
        ? null
        : stableStringify(scorecard.nextLevel),
    definitions: definitions ?? null,
    search,
  };
}

/**
 * What a text search of the drill-down matches: the entity's ref and title in lower case, one
 * per line. Kept on each score row, a search reads no other table and lowers nothing per row.
 */
export function searchText(info: { entityRef: string; title?: string }) {
  return [info.entityRef, info.title ?? ''].join('\n').toLowerCase();
}

function compareStrings(a: string, b: string): number {
  if (a < b) {
    return -1;
  }
  return a > b ? 1 : 0;
}
