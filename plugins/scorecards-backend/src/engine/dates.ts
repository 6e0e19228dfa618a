import { DateTime, Duration } from 'luxon';
import { describeJsonType } from './grammar';

/** Milliseconds in a UTC day. */
export const DAY_MS = 86_400_000;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// Luxon parses every ISO form, but at several microseconds a call it would dominate an
// evaluation run; the common forms are parsed by hand and luxon handles the rest.
const luxonCache = new Map<string, number>();
const LUXON_CACHE_LIMIT = 10_000;

function digits(text: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) {
      return -1;
    }
    n = n * 10 + c;
  }
  return n;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) {
    return 29;
  }
  return DAYS_IN_MONTH[month - 1];
}

/** `HH:mm[:ss[.fff]][Z|±HH[:]mm|±HH]` from `start` to the end, added to `dayMs`; NaN otherwise. */
function parseTime(text: string, start: number, dayMs: number): number {
  const n = text.length;
  if (n < start + 5 || text.charCodeAt(start + 2) !== 58) {
    return NaN;
  }
  const hour = digits(text, start, 2);
  const minute = digits(text, start + 3, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) {
    return NaN;
  }
  let i = start + 5;
  let second = 0;
  let millis = 0;
  if (i < n && text.charCodeAt(i) === 58) {
    second = digits(text, i + 1, 2);
    if (second < 0 || second > 59) {
      return NaN;
    }
    i += 3;
    const sep = text.charCodeAt(i);
    if (i < n && (sep === 46 || sep === 44)) {
      i++;
      let scale = 100;
      const fractionStart = i;
      while (i < n) {
        const c = text.charCodeAt(i) - 48;
        if (c < 0 || c > 9) {
          break;
        }
        millis += c * scale;
        scale /= 10;
        i++;
      }
      if (i === fractionStart) {
        return NaN;
      }
      millis = Math.floor(millis);
    }
  }
  let offsetMinutes = 0;
  if (i < n) {
    const sign = text.charCodeAt(i);
    if (sign === 90 && i === n - 1) {
      i++;
    } else if (sign === 43 || sign === 45) {
      const rest = n - i - 1;
      const oh = digits(text, i + 1, 2);
      let om = 0;
      if (rest === 2) {
        om = 0;
      } else if (rest === 4) {
        om = digits(text, i + 3, 2);
      } else if (rest === 5 && text.charCodeAt(i + 3) === 58) {
        om = digits(text, i + 4, 2);
      } else {
        return NaN;
      }
      if (oh < 0 || oh > 23 || om < 0 || om > 59) {
        return NaN;
      }
      offsetMinutes = (sign === 45 ? -1 : 1) * (oh * 60 + om);
      i = n;
    } else {
      return NaN;
    }
  }
  if (i !== n) {
    return NaN;
  }
  return (
    dayMs +
    hour * 3_600_000 +
    minute * 60_000 +
    second * 1000 +
    millis -
    offsetMinutes * 60_000
  );
}

function parseWithLuxon(text: string): number {
  const cached = luxonCache.get(text);
  if (cached !== undefined) {
    return cached;
  }
  const parsed = DateTime.fromISO(text, { zone: 'utc' });
  const millis = parsed.isValid ? parsed.toMillis() : NaN;
  if (luxonCache.size >= LUXON_CACHE_LIMIT) {
    luxonCache.clear();
  }
  luxonCache.set(text, millis);
  return millis;
}

/**
 * Parses an ISO-8601 date or date-time into epoch milliseconds, NaN when the text is not one.
 * A value without an offset is read as UTC, so that results do not depend on the server's zone.
 */
export function parseIsoInstant(text: string): number {
  const n = text.length;
  if (n >= 10 && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45) {
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 2);
    const day = digits(text, 8, 2);
    if (
      year >= 1000 &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= daysInMonth(year, month)
    ) {
      const dayMs = Date.UTC(year, month - 1, day);
      if (n === 10) {
        return dayMs;
      }
      if (text.charCodeAt(10) === 84) {
        const millis = parseTime(text, 11, dayMs);
        if (!Number.isNaN(millis)) {
          return millis;
        }
      }
    }
  }
  return parseWithLuxon(text);
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
  // Months and years depend on the calendar; a run evaluates many entities at one `now`, so the
  // last answer is kept.
  let lastBeforeInput = NaN;
  let lastBeforeOutput = NaN;
  return {
    iso,
    words,
    before(millis) {
      if (millis !== lastBeforeInput) {
        lastBeforeInput = millis;
        lastBeforeOutput = DateTime.fromMillis(millis, { zone: 'utc' })
          .minus(duration)
          .toMillis();
      }
      return lastBeforeOutput;
    },
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
    if (durationCache.size >= LUXON_CACHE_LIMIT) {
      durationCache.clear();
    }
    durationCache.set(iso, compiled);
  }
  return compiled;
}

/** Age clauses by number of days; explanations repeat the same few hundred. */
const AGES: string[] = new Array(2000);

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
  if (days < AGES.length) {
    return (AGES[days] ??= `which is ${days} days old`);
  }
  return `which is ${days} days old`;
}
