import { createBackendModule } from '@backstage/backend-plugin-api';
import type {
  CheckStatus,
  Fact,
  HistoryEvent,
} from '@guardrails/plugin-scorecards-common';
import {
  scorecardsHistoryExtensionPoint,
  type ScorecardsHistoryBatch,
} from '@guardrails/plugin-scorecards-node';
import { DateTime } from 'luxon';

/**
 * EXAMPLE DATA ONLY. The id of the history source that seeds the example app's made-up past: its
 * events are marked with it in the history, and every start replaces them.
 */
export const EXAMPLE_HISTORY_SOURCE = 'example-history';

/** How far back the example history reaches. */
const DAYS = 90;

const SCORECARD = 'production-readiness';

/**
 * The built-in scorecard's checks in its order, with their weight in the score (critical 10,
 * high 5, medium 3, low 1; the advisory chaos-practice counts for nothing) and the level that
 * first requires them (0 Bronze, 1 Silver, 2 Gold; none for chaos-practice).
 */
const CHECKS: Array<{ id: string; weight: number; level?: number }> = [
  { id: 'owner-exists', weight: 10, level: 0 },
  { id: 'on-call', weight: 10, level: 0 },
  { id: 'security-scanning', weight: 5, level: 0 },
  { id: 'slo-defined', weight: 5, level: 1 },
  { id: 'runbook', weight: 5, level: 1 },
  { id: 'dashboard', weight: 5, level: 1 },
  { id: 'techdocs', weight: 3, level: 1 },
  { id: 'security-contact', weight: 3, level: 1 },
  { id: 'security-tier', weight: 3, level: 1 },
  { id: 'runbook-reviewed', weight: 3, level: 2 },
  { id: 'postmortems', weight: 3, level: 2 },
  { id: 'security-review', weight: 5, level: 2 },
  { id: 'progressive-delivery', weight: 1, level: 2 },
  { id: 'chaos-practice', weight: 0 },
];
const LEVELS = ['Bronze', 'Silver', 'Gold'];

const STATUS_OF: Record<string, CheckStatus> = {
  P: 'pass',
  F: 'fail',
  W: 'warn',
  V: 'waived',
  N: 'not-applicable',
  E: 'error',
};

/**
 * Where each example component stands today, as the first run finds it (see `examples/README.md`):
 * one letter per check of {@link CHECKS}, P pass, F fail, W warn, V waived, N not applicable,
 * E error. The seeded history ends here, so the first run continues it without a jump.
 */
const TODAY: Record<string, string> = {
  'storefront-web': 'PPPPPPPPPFPPPW',
  'account-portal': 'PPPEPPFFFFFFFW',
  'content-service': 'PFFFFFFFFFFFFW',
  'store-locator': 'PFFFFFFFFFFFFW',
  'mobile-bff': 'PPPFPPFFFFFFFW',
  'design-system': 'PNPNNNPPPNNFNN',
  'search-api': 'PPPPPPPPPPPPPP',
  'search-indexer': 'PPPPPPPPPPFPFW',
  'recommendations-service': 'PPPPFPFFFFFFFW',
  'autocomplete-service': 'PFFFFPFFFFFFFW',
  'checkout-api': 'PPPPPPPPPPPPPP',
  'cart-service': 'PPPPPPPPPEPPPW',
  'promotions-service': 'PPPPFPPPPFFFFW',
  'order-service': 'PPPPPPFFPFFFFW',
  'order-events-schema': 'PNPNNNFFFNNFNN',
  'fulfilment-service': 'PPPFFPFFFFFFFW',
  'warehouse-integration': 'PPPPPPPPFFFFFW',
  'warehouse-admin': 'PVPFPFFFFFFFFW',
  'shipping-rates': 'PFPFPPFFFFFFFW',
  'payment-gateway': 'PPPPPPPPPPPPPP',
  'payouts-service': 'PPPPPPPPPPPPVW',
  'ledger-service': 'PPPPPPPPPPPEPW',
  'refunds-service': 'PPPPPPPPPPPFPW',
  'invoice-legacy': 'FPPFPFFFFFFFFW',
  'payments-sdk': 'PNPNNNPPPNNPNN',
  'fraud-scoring': 'PPPPPPPFPPPPPW',
  'kyc-service': 'PPFPPPFFFFFFFW',
  'risk-rules-admin': 'PFFFFFFPFFFFFW',
  'event-pipeline': 'PPPPPPPPPPFVPW',
  'metrics-api': 'PFPFFFFFFFFFFW',
  'reporting-portal': 'PFFFFFPFFFFFFW',
  'experimentation-service': 'PFFFFFFFFFFFFW',
  'analytics-sdk': 'PNFNNNFFFNNFNN',
  'secrets-broker': 'PPPPPPPPPPPPFW',
  'developer-portal': 'PPPFFPPPPFFFFW',
  'alert-router': 'PPPPPPPFFPFFFP',
  'status-page': 'PPPFPFFFFFFFFW',
  'feature-flags-service': 'PPFFFFFFFFFFFW',
  'build-cache': 'PFFFFFFFFFFFFW',
  'go-service-kit': 'PNPNNNPPPNNFNN',
  'feature-flags-client': 'PNPNNNFFFNNFNN',
  'guardrails-scorecards': 'PNFNNNFPPNNFNN',
};

/**
 * The made-up story: for each component that changed, the checks that changed, how many days ago,
 * and the status they had before. Payments, Search and Checkout improve; Fulfilment and the Web
 * Storefront regress.
 */
const CHANGES: Record<
  string,
  Array<[check: string, daysAgo: number, before: string]>
> = {
  // Payments, Search and Checkout close their gaps one by one.
  'payment-gateway': [
    ['postmortems', 41, 'F'],
    ['security-review', 26, 'F'],
    ['progressive-delivery', 63, 'F'],
    ['runbook-reviewed', 15, 'F'],
  ],
  'payouts-service': [
    ['runbook-reviewed', 52, 'F'],
    ['dashboard', 70, 'F'],
  ],
  'ledger-service': [
    ['techdocs', 35, 'F'],
    ['slo-defined', 58, 'F'],
  ],
  'refunds-service': [
    ['security-contact', 20, 'F'],
    ['runbook', 44, 'F'],
  ],
  'payments-sdk': [['techdocs', 30, 'F']],
  'search-api': [
    ['progressive-delivery', 47, 'F'],
    ['slo-defined', 72, 'F'],
    ['postmortems', 18, 'F'],
  ],
  'search-indexer': [
    ['runbook', 22, 'F'],
    ['dashboard', 38, 'F'],
  ],
  'recommendations-service': [['on-call', 54, 'F']],
  'checkout-api': [
    ['runbook-reviewed', 13, 'F'],
    ['security-review', 33, 'F'],
  ],
  'cart-service': [
    ['techdocs', 40, 'F'],
    ['security-tier', 24, 'F'],
  ],
  'order-service': [['slo-defined', 29, 'F']],
  // Fulfilment and the Web Storefront let things slip.
  'fulfilment-service': [
    ['runbook', 21, 'P'],
    ['slo-defined', 48, 'P'],
    ['security-contact', 31, 'P'],
  ],
  'warehouse-integration': [
    ['security-tier', 17, 'P'],
    ['runbook-reviewed', 39, 'P'],
  ],
  'shipping-rates': [['on-call', 28, 'P']],
  'warehouse-admin': [['dashboard', 34, 'P']],
  'storefront-web': [['runbook-reviewed', 23, 'P']],
  'account-portal': [
    ['slo-defined', 19, 'P'],
    ['techdocs', 45, 'P'],
  ],
  'content-service': [['on-call', 50, 'P']],
};

/** Components that first appeared in the last 30 days, and how many days ago. */
const APPEARED: Record<string, number> = {
  'autocomplete-service': 26,
  'store-locator': 12,
  'experimentation-service': 9,
};

/** Mean time to restore, in minutes, of a few services over the 90 days: (start, end). */
const MTTR: Record<string, [number, number]> = {
  'payment-gateway': [95, 30],
  'checkout-api': [60, 25],
  'search-api': [80, 45],
  'fulfilment-service': [40, 110],
  'storefront-web': [35, 70],
  'order-service': [70, 65],
};

function scoreOf(statuses: CheckStatus[]): {
  score: number;
  level: string | null;
  failing: number;
} {
  let earned = 0;
  let possible = 0;
  let failing = 0;
  let blockedAt = LEVELS.length;
  CHECKS.forEach((check, i) => {
    const status = statuses[i];
    if (status === 'fail' || status === 'error') {
      failing += 1;
      if (check.level !== undefined)
        blockedAt = Math.min(blockedAt, check.level);
    }
    if (status === 'not-applicable' || status === 'warn') return;
    possible += check.weight;
    if (status === 'pass' || status === 'waived') earned += check.weight;
  });
  return {
    score: possible === 0 ? 100 : Math.round((100 * earned) / possible),
    level: blockedAt === 0 ? null : LEVELS[blockedAt - 1],
    failing,
  };
}

/**
 * EXAMPLE DATA ONLY. The made-up history of the example catalog's components over the last
 * {@link DAYS} days, ending at where each stands today, and a `mttr-minutes` fact of a few
 * services observed weekly.
 */
export function exampleHistory(now: Date = new Date()): ScorecardsHistoryBatch {
  const end = DateTime.fromJSDate(now).toUTC().startOf('day');
  const daysAgo = (days: number) =>
    end.minus({ days }).plus({ hours: 6 }).toISO()!;
  const events: HistoryEvent[] = [];
  for (const [name, today] of Object.entries(TODAY)) {
    const entityRef = `component:default/${name}`;
    const statuses = [...today].map(letter => STATUS_OF[letter]);
    const changes = [...(CHANGES[name] ?? [])].sort((a, b) => b[1] - a[1]);
    // Before every change, each changed check had its earlier status.
    const current = [...statuses];
    for (const [check, , before] of changes) {
      current[CHECKS.findIndex(c => c.id === check)] = STATUS_OF[before];
    }
    const first = APPEARED[name] ?? DAYS;
    const record = (at: string, checks: number[]) => {
      for (const i of checks) {
        events.push({
          type: 'check',
          entityRef,
          checkId: CHECKS[i].id,
          status: current[i],
          at,
        });
      }
      events.push({
        type: 'scorecard',
        entityRef,
        scorecardId: SCORECARD,
        ...scoreOf(current),
        at,
      });
    };
    record(
      daysAgo(first),
      CHECKS.map((_, i) => i),
    );
    for (const [check, days] of changes) {
      if (days >= first) continue;
      const i = CHECKS.findIndex(c => c.id === check);
      current[i] = statuses[i];
      record(daysAgo(days), [i]);
    }
  }

  const observations: Fact[] = [];
  for (const [name, [from, to]] of Object.entries(MTTR)) {
    for (let week = 0; week <= DAYS / 7; week++) {
      const days = DAYS - week * 7;
      const progress = week / (DAYS / 7);
      // A steady trend with a little week-to-week noise that is the same on every start.
      const noise = ((name.length * 7 + week * 13) % 11) - 5;
      observations.push({
        entityRef: `component:default/${name}`,
        name: 'mttr-minutes',
        value: Math.max(5, Math.round(from + (to - from) * progress + noise)),
        observedAt: daysAgo(Math.max(days, 1)),
        freshFor: 'P30D',
        source: EXAMPLE_HISTORY_SOURCE,
      });
    }
  }
  // The newest observation of each service is its fact today.
  const facts = [...new Map(observations.map(o => [o.entityRef, o])).values()];
  return { events, facts, factObservations: observations };
}

/**
 * EXAMPLE DATA ONLY: seeds the example app's scorecards history so that its trends, movers and
 * indicators have a past to show on a fresh start. Only the example backend installs it.
 */
export const scorecardsModuleExampleHistory = createBackendModule({
  pluginId: 'scorecards',
  moduleId: 'example-history',
  register(env) {
    env.registerInit({
      deps: { history: scorecardsHistoryExtensionPoint },
      async init({ history }) {
        history.addHistorySource({
          id: EXAMPLE_HISTORY_SOURCE,
          read: async () => exampleHistory(),
        });
      },
    });
  },
});
