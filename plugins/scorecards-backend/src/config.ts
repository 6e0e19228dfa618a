import type { Config } from '@backstage/config';
import { readDurationFromConfig } from '@backstage/config';
import { Duration } from 'luxon';

/**
 * Reads an optional positive duration from config, written as an ISO string (`P1Y`), a
 * duration string (`365d`) or an object (`{ years: 1 }`); a year when it is absent. An invalid
 * value fails with a message that names the field.
 */
export function readDuration(config: Config, key: string): Duration {
  const duration = config.has(key)
    ? Duration.fromObject(readDurationFromConfig(config, { key }))
    : Duration.fromObject({ years: 1 });
  if (!duration.isValid || duration.toMillis() <= 0) {
    throw new Error(
      `Invalid scorecards config: '${key}' must be a positive duration such as P1Y, 365d or { years: 1 }`,
    );
  }
  return duration;
}
