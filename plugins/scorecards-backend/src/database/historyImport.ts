import { InputError } from '@backstage/errors';
import {
  CHECK_STATUSES,
  CheckStatus,
  HistoryEvent,
} from '@guardrails/plugin-scorecards-common';
import type { HistoryRow } from './rows';

/** The longest source id the history table holds. */
const MAX_SOURCE_LENGTH = 255;

/** Throws an `InputError` unless the source is a usable id. */
export function assertHistorySource(source: unknown): asserts source is string {
  if (
    typeof source !== 'string' ||
    source.trim() === '' ||
    source.length > MAX_SOURCE_LENGTH
  ) {
    throw new InputError(
      `A history source must be a non-empty id of at most ${MAX_SOURCE_LENGTH} characters`,
    );
  }
}

function isStatus(value: unknown): value is CheckStatus {
  return (CHECK_STATUSES as readonly unknown[]).includes(value);
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/**
 * An imported event, checked: throws an `InputError` naming the event's index and what is wrong
 * with it.
 */
export function checkImportedEvent(
  event: HistoryEvent,
  index: number,
): { event: HistoryEvent; at: Date } {
  const problem = (what: string) =>
    new InputError(`History event ${index} ${what}`);
  if (typeof event !== 'object' || event === null) {
    throw problem('is not an object');
  }
  if (!nonEmpty(event.entityRef)) {
    throw problem('has no entityRef');
  }
  const at = new Date(event.at);
  if (typeof event.at !== 'string' || Number.isNaN(at.getTime())) {
    throw problem(`has no valid ISO timestamp 'at'`);
  }
  switch (event.type) {
    case 'check':
      if (!nonEmpty(event.checkId)) throw problem('has no checkId');
      if (!isStatus(event.status)) {
        throw problem(
          `has status '${event.status}', not one of ${CHECK_STATUSES.join(
            ', ',
          )}`,
        );
      }
      if (
        event.previousStatus !== undefined &&
        !isStatus(event.previousStatus)
      ) {
        throw problem(`has previousStatus '${event.previousStatus}'`);
      }
      break;
    case 'scorecard':
      if (!nonEmpty(event.scorecardId)) throw problem('has no scorecardId');
      if (typeof event.score !== 'number' || !Number.isFinite(event.score)) {
        throw problem('has no numeric score');
      }
      if (event.level !== null && typeof event.level !== 'string') {
        throw problem('has a level that is neither a name nor null');
      }
      if (
        event.failing !== undefined &&
        !(Number.isInteger(event.failing) && event.failing >= 0)
      ) {
        throw problem('has a failing count that is not a whole number');
      }
      break;
    case 'removed':
      break;
    default:
      throw problem(
        `has type '${
          (event as { type: unknown }).type
        }', not check, scorecard or removed`,
      );
  }
  return { event, at };
}

/**
 * History rows of imported events, oldest first, each marked with its source. A check's
 * previous status, or a scorecard's previous level and score, that the event leaves out is the
 * one of the source's event before it on the same subject.
 */
export function importedHistoryRows(
  source: string,
  events: Array<{ event: HistoryEvent; at: Date }>,
): HistoryRow[] {
  const sorted = [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
  /** Each entity's last row per subject, so far. */
  const last = new Map<string, Map<string, HistoryRow>>();
  const rows: HistoryRow[] = [];
  for (const { event, at } of sorted) {
    let subject = '';
    if (event.type === 'check') subject = event.checkId;
    if (event.type === 'scorecard') subject = event.scorecardId;
    const key = `${event.type}|${subject}`;
    const before = last.get(event.entityRef)?.get(key);
    const row: HistoryRow = {
      entity_ref: event.entityRef,
      type: event.type,
      subject_id: subject,
      status: null,
      previous_status: null,
      level: null,
      previous_level: null,
      score: null,
      previous_score: null,
      failing: null,
      definitions_changed: null,
      at,
      source,
    };
    if (event.type === 'check') {
      row.status = event.status;
      row.previous_status = event.previousStatus ?? before?.status ?? null;
    } else if (event.type === 'scorecard') {
      row.level = event.level;
      row.score = event.score;
      if (event.previousScore !== undefined) {
        row.previous_score = event.previousScore;
        row.previous_level = event.previousLevel ?? null;
      } else if (before) {
        row.previous_score = before.score;
        row.previous_level = before.level;
      }
      row.failing = event.failing ?? null;
      row.definitions_changed = event.definitionsChanged ? true : null;
    } else {
      // After a removal, the entity's subjects start afresh.
      last.delete(event.entityRef);
    }
    if (event.type !== 'removed') {
      const subjects = last.get(event.entityRef) ?? new Map();
      subjects.set(key, row);
      last.set(event.entityRef, subjects);
    }
    rows.push(row);
  }
  return rows;
}
