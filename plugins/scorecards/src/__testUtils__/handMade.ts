import type {
  GroupRollupNode,
  IndicatorResult,
  IndicatorsResponse,
  TrendsResponse,
} from '@guardrails/plugin-scorecards-common';

/*
 * Answers written by hand, for what no recording holds yet: the headline indicators, what a
 * group owns directly and its categories, and the causes, teams and new entities of a trend.
 * They follow the API's types and nothing else; the components must not rely on any detail of
 * them beyond the types. `./run yarn record-fixtures` does not touch this file.
 */

/** The example catalog's three kinds of headline indicator, on 1 December 2026. */
export function handMadeIndicators(scope = 'all'): IndicatorsResponse {
  const now = '2026-12-01T06:00:00.000Z';
  const before = '2026-11-01T06:00:00.000Z';
  const indicators: IndicatorResult[] = [
    {
      id: 'silver-or-above',
      title: 'Services at Silver or above',
      description: 'Share of scored services that reach at least Silver.',
      measure: {
        type: 'level',
        scorecardId: 'production-readiness',
        level: 'Silver',
      },
      now: { at: now, value: 34.1, entities: 41, meeting: 14 },
      before: { at: before, value: 29.9, entities: 37, meeting: 11 },
      change: 4.2,
      higherIsBetter: true,
    },
    {
      id: 'on-call',
      title: 'On-call alert routing',
      description: 'Share of services whose alerts reach an on-call rotation.',
      measure: { type: 'check', checkId: 'on-call' },
      now: { at: now, value: 61, entities: 41, meeting: 25 },
      before: { at: before, value: 64.9, entities: 37, meeting: 24 },
      change: -3.9,
      higherIsBetter: true,
    },
    {
      id: 'lead-time',
      title: 'Lead time for changes',
      description: 'From merge to production, across services that report it.',
      measure: {
        type: 'fact',
        fact: 'leadTimeMinutes',
        aggregate: 'median',
        unit: 'minutes',
      },
      now: { at: now, value: 42, entities: 18 },
      before: { at: before, value: 55.5, entities: 15 },
      change: -13.5,
      higherIsBetter: false,
      freshness: {
        fresh: 16,
        stale: 2,
        oldestObservedAt: '2026-11-28T09:30:00.000Z',
        newestObservedAt: '2026-12-01T05:10:00.000Z',
      },
    },
  ];
  return { scope, indicators };
}

/**
 * A small group tree with what each group owns directly and its pass rate per category: an
 * organisation with a department (which owns a few entities itself) and two teams.
 */
export function handMadeGroupTree(): GroupRollupNode[] {
  const categories = (rates: Array<[string, number, number]>) =>
    rates.map(([category, pass, fail]) => ({
      category,
      pass,
      fail,
      passRate:
        pass + fail === 0
          ? null
          : Math.round((pass / (pass + fail)) * 1000) / 10,
    }));
  const summary = (
    entities: number,
    averageScore: number,
    failing: number,
  ) => ({
    entities,
    averageScore,
    levels: { Gold: 0, Silver: 0, Bronze: entities, none: 0 },
    failing,
  });
  const checkout: GroupRollupNode = {
    ref: 'group:default/team-checkout',
    title: 'Checkout',
    type: 'team',
    ownEntities: 6,
    ...summary(6, 81.5, 2),
    own: summary(6, 81.5, 2),
    categories: categories([
      ['ownership', 12, 0],
      ['reliability', 9, 3],
      ['observability', 10, 2],
      ['security', 5, 1],
      ['documentation', 3, 3],
      ['delivery', 0, 0],
    ]),
    children: [],
  };
  const search: GroupRollupNode = {
    ...checkout,
    ref: 'group:default/team-search',
    title: 'Search',
    ownEntities: 4,
    ...summary(4, 55, 3),
    own: summary(4, 55, 3),
    categories: categories([
      ['ownership', 8, 0],
      ['reliability', 3, 5],
      ['observability', 2, 6],
      ['security', 4, 0],
      ['documentation', 1, 3],
      ['delivery', 2, 2],
    ]),
  };
  const commerce: GroupRollupNode = {
    ref: 'group:default/commerce',
    title: 'Commerce',
    type: 'department',
    ownEntities: 2,
    ...summary(12, 70.1, 6),
    own: summary(2, 64.5, 1),
    categories: categories([
      ['ownership', 24, 0],
      ['reliability', 14, 10],
      ['observability', 13, 11],
      ['security', 10, 2],
      ['documentation', 5, 7],
      ['delivery', 3, 3],
    ]),
    children: [checkout, search],
  };
  return [
    {
      ...commerce,
      ref: 'group:default/northwind',
      title: 'Northwind Commerce',
      type: 'organization',
      ownEntities: 0,
      own: { entities: 0, averageScore: null, levels: {}, failing: 0 },
      children: [commerce],
    },
  ];
}

/** A 30-day trend whose movers say what moved them, with the teams that moved and new entities. */
export function handMadeTrends(scope = 'all'): TrendsResponse {
  return {
    scorecardId: 'production-readiness',
    scope,
    interval: 'P1D',
    points: [
      {
        at: '2026-11-01T00:00:00.000Z',
        entities: 37,
        averageScore: 60.2,
        levels: { Gold: 4, Silver: 8, Bronze: 13, none: 12 },
        failing: 33,
      },
      {
        at: '2026-12-01T00:00:00.000Z',
        entities: 41,
        averageScore: 62.8,
        levels: { Gold: 5, Silver: 9, Bronze: 14, none: 13 },
        failing: 36,
      },
    ],
    regressed: [
      {
        entityRef: 'component:default/search-indexer',
        causes: [
          { checkId: 'slo', title: 'SLO defined', from: 'pass', to: 'fail' },
          {
            checkId: 'on-call',
            title: 'On-call alert routing',
            from: 'pass',
            to: 'error',
          },
        ],
        fromScore: 80,
        toScore: 55,
        fromLevel: 'Silver',
        toLevel: 'Bronze',
        change: -25,
      },
    ],
    improved: [
      {
        entityRef: 'component:default/checkout-api',
        causes: [
          {
            checkId: 'runbook',
            title: 'Runbook linked',
            from: 'fail',
            to: 'pass',
          },
          { checkId: 'tls', title: 'TLS everywhere', from: null, to: 'pass' },
          { checkId: 'legacy-ci', title: 'Legacy CI', from: 'fail', to: null },
          { checkId: 'owner', title: 'Owner set', from: 'fail', to: 'pass' },
        ],
        fromScore: 70,
        toScore: 100,
        fromLevel: 'Silver',
        toLevel: 'Gold',
        change: 30,
      },
    ],
    teams: {
      regressed: [
        {
          ref: 'group:default/team-search',
          title: 'Search',
          entities: 4,
          fromScore: 63.5,
          toScore: 55,
          change: -8.5,
          causes: [
            {
              checkId: 'on-call',
              title: 'On-call alert routing',
              improved: 0,
              regressed: 3,
            },
            { checkId: 'slo', title: 'SLO defined', improved: 1, regressed: 2 },
          ],
        },
      ],
      improved: [
        {
          ref: 'group:default/team-checkout',
          title: 'Checkout',
          entities: 1,
          fromScore: 70,
          toScore: 100,
          change: 30,
          causes: [
            {
              checkId: 'runbook',
              title: 'Runbook linked',
              improved: 1,
              regressed: 0,
            },
          ],
        },
      ],
    },
    new: {
      entities: [
        {
          entityRef: 'component:default/gift-cards',
          at: '2026-11-28T10:00:00.000Z',
          score: 40,
          level: null,
        },
        {
          entityRef: 'component:default/loyalty-api',
          at: '2026-11-20T10:00:00.000Z',
          score: 75,
          level: 'Silver',
        },
      ],
      total: 5,
    },
  };
}
