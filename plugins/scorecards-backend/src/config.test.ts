import { ConfigReader } from '@backstage/config';
import type { JsonValue } from '@backstage/types';
import { readDuration } from './config';

const KEY = 'scorecards.history.retention';

function read(value: JsonValue) {
  return readDuration(
    new ConfigReader({ scorecards: { history: { retention: value } } }),
    KEY,
  );
}

describe('readDuration', () => {
  it('reads an ISO string, a duration string and an object alike', () => {
    expect(read('P180D').as('days')).toBe(180);
    expect(read('180d').as('days')).toBe(180);
    expect(read({ days: 180 }).as('days')).toBe(180);
    expect(read({ months: 6 }).as('months')).toBe(6);
  });

  it('is a year when the field is absent', () => {
    expect(readDuration(new ConfigReader({}), KEY).as('years')).toBe(1);
  });

  it('refuses an invalid value with a message that names the field', () => {
    expect(() => read('soon')).toThrow(
      `Invalid duration 'soon' in config at '${KEY}'`,
    );
    expect(() => read('P1Q')).toThrow(
      `Invalid duration 'P1Q' in config at '${KEY}'`,
    );
    expect(() => read({ days: 1, fortnights: 2 })).toThrow(
      `Failed to read duration from config at '${KEY}', Error: Unknown property 'fortnights'`,
    );
    expect(() => read({ fortnights: 2 })).toThrow(
      `Failed to read duration from config at '${KEY}', Error: Needs one or more of 'years'`,
    );
  });

  it('refuses a duration that is not positive, naming the field', () => {
    const message = `Invalid scorecards config: '${KEY}' must be a positive duration such as P1Y, 365d or { years: 1 }`;
    expect(() => read('PT0S')).toThrow(message);
    expect(() => read({ days: 0 })).toThrow(message);
    expect(() => read('P-1D')).toThrow(message);
  });
});
