import { DateTime, Duration } from 'luxon';
import { describeJsonType } from './grammar';

/** Milliseconds in a UTC day. */
export const DAY_MS = 86_400_000;

// Evaluation parses the same few dates for many entities, so answers are kept for a while.
const instants = new Map<string, number>();
const CACHE_LIMIT = 10_000;

/**
 * Parses an ISO-8601 date or date-time into epoch milliseconds, NaN when the text is not one.
 * A value without an offset is read as UTC, so that results do not depend on the server's zone.
 */
export function parseIsoInstant(text: string): number {
  let millis = instants.get(text);
  if (millis === undefined) {
    const parsed = DateTime.fromISO(text, { zone: 'utc' });
    millis = parsed.isValid ? parsed.toMillis() : NaN;
    if (instants.size >= CACHE_LIMIT) {
      instants.clear();
    }
    instants.set(text, millis);
  }
  return millis;
}

/** Whether a (valid) ISO text names a whole day rather than an instant. */
export function isDateOnly(text: string): boolean {
  return text.indexOf('T') === -1;
}

/** Midnight UTC of the day that contains `millis`. */
export function startOfUtcDay(millis: number): number {
  return Math.floor(millis / DAY_MS) * DAY_MS;
}

const DURATION_UNITS = [
  ['years', 'year'],
  ['quarters', 'quarter'],
  ['months', 'month'],
  ['weeks', 'week'],
  ['days', 'day'],
  ['hours', 'hour'],
  ['minutes', 'minute'],
  ['seconds', 'second'],
  ['milliseconds', 'millisecond'],
] as const;

/** An ISO-8601 duration parsed once, able to step back or forward from any instant. */
export interface CompiledDuration {
  /** The duration as written, e.g. `P180D`. */
  readonly iso: string;
  /** In words, e.g. `180 days`, `year`, `1 year and 6 months`. */
  readonly words: string;
  /** The instant this duration before `millis`. */
  before(millis: number): number;
  /** The instant this duration after `millis`. */
  after(millis: number): number;
}

function durationWords(duration: Duration): string {
  const parts: string[] = [];
  for (const [unit, singular] of DURATION_UNITS) {
    const value = duration.get(unit);
    if (value) {
      parts.push(`${value} ${value === 1 ? singular : `${singular}s`}`);
    }
  }
  if (parts.length === 1 && parts[0].startsWith('1 ')) {
    return parts[0].slice(2);
  }
  if (parts.length <= 1) {
    return parts.join('');
  }
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/**
 * Parses an ISO-8601 duration such as `P180D`, `P6M` or `PT12H`; throws an Error saying why when
 * it is not a positive duration.
 */
export function compileDuration(iso: unknown): CompiledDuration {
  if (typeof iso !== 'string') {
    throw new Error(
      `expected an ISO-8601 duration string such as 'P180D', got ${describeJsonType(
        iso,
      )}`,
    );
  }
  const duration = Duration.fromISO(iso);
  if (!duration.isValid) {
    throw new Error(
      `'${iso}' is not an ISO-8601 duration (examples: P180D, P6M, P1Y, PT12H)`,
    );
  }
  const values = DURATION_UNITS.map(([unit]) => duration.get(unit));
  if (values.some(v => v < 0) || !values.some(v => v > 0)) {
    throw new Error(`'${iso}' must be a positive duration`);
  }
  const words = durationWords(duration);
  const calendar =
    duration.get('years') !== 0 ||
    duration.get('quarters') !== 0 ||
    duration.get('months') !== 0;
  if (!calendar) {
    // Weeks, days and smaller units have a fixed length in UTC, so no calendar maths is needed.
    const fixed = duration.toMillis();
    return {
      iso,
      words,
      before: millis => millis - fixed,
      after: millis => millis + fixed,
    };
  }
  return {
    iso,
    words,
    before: millis =>
      DateTime.fromMillis(millis, { zone: 'utc' }).minus(duration).toMillis(),
    after: millis =>
      DateTime.fromMillis(millis, { zone: 'utc' }).plus(duration).toMillis(),
  };
}

const durationCache = new Map<string, CompiledDuration | null>();

/** Like {@link compileDuration}, for durations found in data: cached, and null when invalid. */
export function lookupDuration(iso: string): CompiledDuration | null {
  let compiled = durationCache.get(iso);
  if (compiled === undefined) {
    try {
      compiled = compileDuration(iso);
    } catch {
      compiled = null;
    }
    if (durationCache.size >= CACHE_LIMIT) {
      durationCache.clear();
    }
    durationCache.set(iso, compiled);
  }
  return compiled;
}

/** How old an instant is, as a clause for explanations, e.g. `which is 55 days old`. */
export function ageInWords(
  millis: number,
  nowMs: number,
  dateOnly: boolean,
): string {
  const days = dateOnly
    ? Math.round((startOfUtcDay(nowMs) - millis) / DAY_MS)
    : Math.floor((nowMs - millis) / DAY_MS);
  if (days < 0) {
    return dateOnly ? 'which is tomorrow' : 'which is a few hours ahead';
  }
  if (days === 0) {
    return dateOnly ? 'which is today' : 'which is less than a day old';
  }
  if (days === 1) {
    return 'which is 1 day old';
  }
  return `which is ${days} days old`;
}
