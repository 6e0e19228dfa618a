import type {
  CheckStatus,
  EntityScorecardsResponse,
} from '@guardrails/plugin-scorecards-common';

/** One difference between two evaluations of an entity. */
export type ScorecardChange =
  | {
      type: 'check';
      scorecardId: string;
      checkId: string;
      title: string;
      from?: CheckStatus;
      to?: CheckStatus;
    }
  | {
      type: 'level';
      scorecardId: string;
      from: string | null;
      to: string | null;
    }
  | { type: 'score'; scorecardId: string; from: number; to: number };

/**
 * What changed between two answers for the same entity: levels, scores and check statuses, in
 * the order of the newer answer. A scorecard or check that appeared or went away counts too.
 */
export function diffScorecards(
  before: EntityScorecardsResponse,
  after: EntityScorecardsResponse,
): ScorecardChange[] {
  const changes: ScorecardChange[] = [];
  const previous = new Map(before.scorecards.map(s => [s.scorecardId, s]));
  for (const card of after.scorecards) {
    const old = previous.get(card.scorecardId);
    if (old && old.level !== card.level) {
      changes.push({
        type: 'level',
        scorecardId: card.scorecardId,
        from: old.level,
        to: card.level,
      });
    }
    if (old && old.score !== card.score) {
      changes.push({
        type: 'score',
        scorecardId: card.scorecardId,
        from: old.score,
        to: card.score,
      });
    }
    const oldChecks = new Map(old?.checks.map(c => [c.checkId, c]) ?? []);
    for (const check of card.checks) {
      const was = oldChecks.get(check.checkId);
      oldChecks.delete(check.checkId);
      if (was?.status !== check.status) {
        changes.push({
          type: 'check',
          scorecardId: card.scorecardId,
          checkId: check.checkId,
          title: check.title,
          from: was?.status,
          to: check.status,
        });
      }
    }
    for (const gone of oldChecks.values()) {
      changes.push({
        type: 'check',
        scorecardId: card.scorecardId,
        checkId: gone.checkId,
        title: gone.title,
        from: gone.status,
      });
    }
  }
  return changes;
}
