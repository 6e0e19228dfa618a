import { recordedBody } from '../../__testUtils__/recordings';
import { diffScorecards } from './diff';

describe('diffScorecards', () => {
  it('finds nothing between two evaluations with the same results', () => {
    expect(
      diffScorecards(recordedBody('entityBare'), recordedBody('evaluateBare')),
    ).toEqual([]);
  });

  it('names the level, the score and each check that changed', () => {
    const before = recordedBody('entityBare');
    const after = structuredClone(before);
    const card = after.scorecards[0];
    card.level = 'Bronze';
    card.score = 71;
    card.checks.find(c => c.checkId === 'on-call')!.status = 'pass';
    card.checks = card.checks.filter(c => c.checkId !== 'techdocs');

    expect(diffScorecards(before, after)).toEqual([
      {
        type: 'level',
        scorecardId: card.scorecardId,
        from: null,
        to: 'Bronze',
      },
      {
        type: 'score',
        scorecardId: card.scorecardId,
        from: before.scorecards[0].score,
        to: 71,
      },
      {
        type: 'check',
        scorecardId: card.scorecardId,
        checkId: 'on-call',
        title: 'Alerts routed to on-call',
        from: 'fail',
        to: 'pass',
      },
      {
        type: 'check',
        scorecardId: card.scorecardId,
        checkId: 'techdocs',
        title: expect.any(String),
        from: 'fail',
      },
    ]);
  });
});
