import type { HistoryEvent } from '@guardrails/plugin-scorecards-common';
import { EXAMPLE_HISTORY_SOURCE, exampleHistory } from './exampleHistory';

const NOW = new Date('2026-12-02T15:00:00Z');
const DAY = 86_400_000;

/**
 * Where the built-in scorecard puts each example component (score, level), as the backend's
 * `src/definitions/examples.test.ts` evaluates the example catalog: the seeded history must end
 * there, so the first run continues it without a jump.
 */
const FIRST_RUN: Record<string, [number, string | null]> = {
  'storefront-web': [95, 'Silver'],
  'account-portal': [57, 'Bronze'],
  'content-service': [16, null],
  'store-locator': [16, null],
  'mobile-bff': [57, 'Bronze'],
  'design-system': [83, 'Silver'],
  'search-api': [100, 'Gold'],
  'search-indexer': [93, 'Silver'],
  'recommendations-service': [57, 'Bronze'],
  'autocomplete-service': [25, null],
  'checkout-api': [100, 'Gold'],
  'cart-service': [95, 'Silver'],
  'promotions-service': [72, 'Bronze'],
  'order-service': [70, 'Bronze'],
  'order-events-schema': [52, 'Bronze'],
  'fulfilment-service': [49, 'Bronze'],
  'warehouse-integration': [75, 'Bronze'],
  'warehouse-admin': [49, 'Bronze'],
  'shipping-rates': [41, null],
  'payment-gateway': [100, 'Gold'],
  'payouts-service': [100, 'Gold'],
  'ledger-service': [92, 'Silver'],
  'refunds-service': [92, 'Silver'],
  'invoice-legacy': [33, null],
  'payments-sdk': [100, 'Gold'],
  'fraud-scoring': [95, 'Bronze'],
  'kyc-service': [57, null],
  'risk-rules-admin': [21, null],
  'event-pipeline': [95, 'Silver'],
  'metrics-api': [25, null],
  'reporting-portal': [21, null],
  'experimentation-service': [16, null],
  'analytics-sdk': [34, null],
  'secrets-broker': [98, 'Silver'],
  'developer-portal': [64, 'Bronze'],
  'alert-router': [75, 'Bronze'],
  'status-page': [49, 'Bronze'],
  'feature-flags-service': [33, null],
  'build-cache': [16, null],
  'go-service-kit': [83, 'Silver'],
  'feature-flags-client': [52, 'Bronze'],
  'guardrails-scorecards': [55, null],
};

type ScoreEvent = Extract<HistoryEvent, { type: 'scorecard' }>;

describe('the example history', () => {
  const { events, facts, factObservations } = exampleHistory(NOW);
  const scores = events.filter((e): e is ScoreEvent => e.type === 'scorecard');
  /** Each component's score at a time, by name. */
  const standingAt = (at: number) => {
    const standing = new Map<string, ScoreEvent>();
    for (const event of [...scores].sort(
      (a, b) => Date.parse(a.at) - Date.parse(b.at),
    )) {
      if (Date.parse(event.at) <= at) {
        standing.set(event.entityRef.replace('component:default/', ''), event);
      }
    }
    return standing;
  };
  const mean = (names: string[], at: number) => {
    const standing = standingAt(at);
    const values = names.map(n => standing.get(n)!.score);
    return values.reduce((a, b) => a + b, 0) / values.length;
  };

  it('ends where the first run will find every example component', () => {
    const end = standingAt(NOW.getTime());
    expect(
      Object.fromEntries(
        [...end.entries()].map(([name, e]) => [name, [e.score, e.level]]),
      ),
    ).toEqual(FIRST_RUN);
  });

  it('lies within the last 90 days, before now', () => {
    const times = events.map(e => Date.parse(e.at));
    expect(Math.max(...times)).toBeLessThan(NOW.getTime());
    expect(Math.min(...times)).toBeGreaterThanOrEqual(NOW.getTime() - 91 * DAY);
  });

  it('tells of teams improving and teams regressing, and of components that appeared lately', () => {
    const start = NOW.getTime() - 89 * DAY;
    const payments = ['payment-gateway', 'payouts-service', 'ledger-service'];
    const fulfilment = [
      'fulfilment-service',
      'warehouse-integration',
      'shipping-rates',
    ];
    expect(mean(payments, NOW.getTime())).toBeGreaterThan(
      mean(payments, start) + 10,
    );
    expect(mean(fulfilment, NOW.getTime())).toBeLessThan(
      mean(fulfilment, start) - 10,
    );
    const monthAgo = standingAt(NOW.getTime() - 30 * DAY);
    const appeared = Object.keys(FIRST_RUN).filter(n => !monthAgo.has(n));
    expect(appeared.sort()).toEqual([
      'autocomplete-service',
      'experimentation-service',
      'store-locator',
    ]);
  });

  it('gives a mttr-minutes fact of a few services, observed weekly, the newest standing today', () => {
    expect(factObservations!.length).toBeGreaterThan(50);
    const observed = factObservations!.map(f => Date.parse(f.observedAt));
    expect(Math.max(...observed) - Math.min(...observed)).toBeGreaterThan(
      80 * DAY,
    );
    expect(facts).toHaveLength(6);
    for (const fact of facts!) {
      expect(fact).toMatchObject({
        name: 'mttr-minutes',
        value: expect.any(Number),
        source: EXAMPLE_HISTORY_SOURCE,
      });
      const newest = factObservations!
        .filter(o => o.entityRef === fact.entityRef)
        .sort((a, b) => Date.parse(b.observedAt) - Date.parse(a.observedAt))[0];
      expect(fact).toEqual(newest);
    }
  });
});
