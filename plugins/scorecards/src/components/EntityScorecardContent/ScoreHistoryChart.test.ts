import type { HistoryEvent } from '@guardrails/plugin-scorecards-common';
import { scorePoints } from './ScoreHistoryChart';

const DAY = 86_400_000;
const TO = Date.parse('2026-12-01T00:00:00Z');
const FROM = TO - 90 * DAY;

function scored(
  daysAgo: number,
  score: number,
  previousScore?: number,
  scorecardId = 'production-readiness',
): HistoryEvent {
  return {
    type: 'scorecard',
    entityRef: 'component:default/checkout-api',
    scorecardId,
    level: 'Gold',
    score,
    previousScore,
    at: new Date(TO - daysAgo * DAY).toISOString(),
  };
}

describe('scorePoints', () => {
  it('starts from the score before the first change and steps through each change to now', () => {
    expect(
      scorePoints(
        // Newest first, as the API answers; other scorecards and checks are ignored.
        [scored(10, 95, 80), scored(20, 10, 5, 'other'), scored(40, 80, 62)],
        'production-readiness',
        95,
        FROM,
        TO,
      ),
    ).toEqual([
      { at: FROM, score: 62 },
      { at: TO - 40 * DAY, score: 80 },
      { at: TO - 10 * DAY, score: 95 },
      { at: TO, score: 95 },
    ]);
  });

  it('starts where an entity first appeared, and is flat without changes', () => {
    expect(
      scorePoints([scored(5, 40)], 'production-readiness', 40, FROM, TO),
    ).toEqual([
      { at: TO - 5 * DAY, score: 40 },
      { at: TO, score: 40 },
    ]);
    expect(scorePoints([], 'production-readiness', 70, FROM, TO)).toEqual([
      { at: FROM, score: 70 },
      { at: TO, score: 70 },
    ]);
  });
});
