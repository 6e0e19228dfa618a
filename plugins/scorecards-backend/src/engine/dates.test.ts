import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  ageInWords,
  compileDuration,
  isDateOnly,
  lookupDuration,
  parseIsoInstant,
} from './dates';

const luxon = (text: string) => {
  const parsed = DateTime.fromISO(text, { zone: 'utc' });
  return parsed.isValid ? parsed.toMillis() : NaN;
};

describe('parseIsoInstant', () => {
  it('reads dates and date-times, as UTC when no offset is given', () => {
    expect(parseIsoInstant('2026-10-02')).toBe(Date.UTC(2026, 9, 2));
    expect(parseIsoInstant('2026-10-02T10:30')).toBe(
      Date.UTC(2026, 9, 2, 10, 30),
    );
    expect(parseIsoInstant('2026-10-02T10:30:15.25+02:00')).toBe(
      Date.UTC(2026, 9, 2, 8, 30, 15, 250),
    );
    expect(parseIsoInstant('2026-W40-5')).toBe(Date.UTC(2026, 9, 2));
  });

  it('rejects what is not an ISO date', () => {
    for (const text of [
      '',
      'last spring',
      '2026-02-29',
      '2026-13-01',
      '02/10/2026',
      '2026-10-02T25:00',
    ]) {
      expect(parseIsoInstant(text)).toBeNaN();
    }
  });

  it('agrees with luxon on generated date-times', () => {
    const two = (max: number) =>
      fc.integer({ min: 0, max }).map(n => String(n).padStart(2, '0'));
    const text = fc
      .tuple(
        fc.integer({ min: 1000, max: 2999 }).map(String),
        two(13),
        two(32),
        fc.constantFrom('', 'T'),
        two(24),
        two(60),
        fc.constantFrom('', ':07', ':59.5', ':01.123456'),
        fc.constantFrom('', 'Z', '+02:00', '-0530', '+01', 'X'),
      )
      .map(([y, m, d, t, hh, mm, ss, zone]) =>
        t ? `${y}-${m}-${d}T${hh}:${mm}${ss}${zone}` : `${y}-${m}-${d}`,
      );
    fc.assert(
      fc.property(text, value => {
        expect(parseIsoInstant(value)).toEqual(luxon(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('tells dates from instants', () => {
    expect(isDateOnly('2026-10-02')).toBe(true);
    expect(isDateOnly('2026-10-02T00:00Z')).toBe(false);
  });
});

describe('compileDuration', () => {
  it('steps back by fixed units and by the calendar', () => {
    const now = Date.UTC(2026, 2, 31, 12);
    expect(compileDuration('P180D').before(now)).toBe(now - 180 * 86_400_000);
    expect(compileDuration('P1M').before(now)).toBe(Date.UTC(2026, 1, 28, 12));
    expect(compileDuration('PT12H').after(now)).toBe(now + 12 * 3_600_000);
  });

  it('puts the duration in words', () => {
    expect(compileDuration('P180D').words).toBe('180 days');
    expect(compileDuration('P1Y').words).toBe('year');
    expect(compileDuration('P1Y6M').words).toBe('1 year and 6 months');
    expect(compileDuration('P1W2DT3H').words).toBe(
      '1 week, 2 days and 3 hours',
    );
  });

  it('rejects what is not a positive ISO-8601 duration', () => {
    expect(() => compileDuration('180d')).toThrow(
      "'180d' is not an ISO-8601 duration",
    );
    expect(() => compileDuration('P0D')).toThrow(
      "'P0D' must be a positive duration",
    );
    expect(() => compileDuration(180)).toThrow('got the number 180');
    expect(lookupDuration('nonsense')).toBeNull();
    expect(lookupDuration('P7D')?.words).toBe('7 days');
  });
});

describe('ageInWords', () => {
  const now = Date.UTC(2026, 10, 26, 12);
  it('counts whole days', () => {
    expect(ageInWords(Date.UTC(2026, 9, 2), now, true)).toBe(
      'which is 55 days old',
    );
    expect(ageInWords(Date.UTC(2026, 10, 25), now, true)).toBe(
      'which is 1 day old',
    );
    expect(ageInWords(Date.UTC(2026, 10, 26), now, true)).toBe(
      'which is today',
    );
    expect(ageInWords(Date.UTC(2026, 10, 27), now, true)).toBe(
      'which is tomorrow',
    );
    expect(ageInWords(now - 3_600_000, now, false)).toBe(
      'which is less than a day old',
    );
  });
});
