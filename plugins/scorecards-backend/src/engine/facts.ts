import type { Fact } from '@guardrails/plugin-scorecards-common';
import { lookupDuration, parseIsoInstant } from './dates';

/** When the fact was observed, in epoch milliseconds; -Infinity when that is not known. */
export function observedAtOf(fact: Fact): number {
  const millis =
    typeof fact.observedAt === 'string'
      ? parseIsoInstant(fact.observedAt)
      : NaN;
  return Number.isNaN(millis) ? -Infinity : millis;
}

/**
 * Whether a fact still counts at `nowMs`. A fact without `freshFor` never goes stale; freshness
 * that cannot be established (a bad duration or observation time) counts as stale rather than
 * as current.
 */
export function isFactFresh(
  fact: Fact,
  nowMs: number,
  observedMs: number = observedAtOf(fact),
): boolean {
  if (fact.freshFor === undefined) {
    return true;
  }
  const duration =
    typeof fact.freshFor === 'string' ? lookupDuration(fact.freshFor) : null;
  return (
    duration !== null &&
    observedMs !== -Infinity &&
    duration.after(observedMs) >= nowMs
  );
}
