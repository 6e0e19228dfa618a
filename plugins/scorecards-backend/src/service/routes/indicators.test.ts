import type { BackstageUserPrincipal } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
  TestDatabaseId,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import type { CatalogServiceRequestOptions } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type {
  CheckStatus,
  IndicatorResult,
  IndicatorsResponse,
} from '@guardrails/plugin-scorecards-common';
import express from 'express';
import { Duration } from 'luxon';
import request from 'supertest';
import { DatabaseScorecardsStore } from '../../database';
import type { EntityEvaluationRecord } from '../../database/ScorecardsStore';
import { createTestDatabases } from '../../database/__testUtils__/testDatabases';
import { readIndicators, readScorecardDefinitions } from '../../definitions';
import { ScorecardEngine } from '../../engine';
import { EvaluationRunner } from '../../run/EvaluationRunner';
import { createRouter } from '../router';
import { RollupService } from '../RollupService';

jest.setTimeout(60_000);

const databases = createTestDatabases(['SQLITE_3', 'POSTGRES_15']);

const NOW = new Date('2026-11-26T12:00:00.000Z');
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const BEFORE = ago(30 * DAY).toISOString();

const ref = (name: string) => `component:default/${name}`;
const CHECKOUT = ref('checkout');
const BILLING = ref('billing');
const SEARCH = ref('search');
const SECRET = ref('secret');
const NEWBIE = ref('newbie');
/** Removed 35 days ago, back since: not there 30 days ago. */
const RETURNING = ref('returning');
/** Experimental: not a production service. */
const LEGACY = ref('legacy');
/** A library: not a service. */
const UI_LIB = ref('ui-lib');
const TEAM_A = 'group:default/team-a';
const TEAM_B = 'group:default/team-b';

const OUTSIDER = 'user:default/outsider';
const STRANGER = 'user:default/stranger';
const outsider = mockCredentials.user.header(OUTSIDER);
const stranger = mockCredentials.user.header(STRANGER);

const LEVELS = ['Bronze', 'Silver', 'Gold'];

const OWNERS: Record<string, string> = {
  [CHECKOUT]: TEAM_A,
  [BILLING]: TEAM_A,
  [SECRET]: TEAM_A,
  [SEARCH]: TEAM_B,
  [NEWBIE]: TEAM_B,
  [RETURNING]: TEAM_B,
  [LEGACY]: TEAM_B,
  [UI_LIB]: TEAM_A,
};

/** An evaluation of the built-in scorecard with this level and SLO check status. */
function record(
  entityRef: string,
  level: string | null,
  slo: CheckStatus,
): EntityEvaluationRecord {
  const name = entityRef.split('/')[1];
  return {
    info: {
      entityRef,
      kind: 'Component',
      type: entityRef === UI_LIB ? 'library' : 'service',
      title: name,
      lifecycle: entityRef === LEGACY ? 'experimental' : 'production',
      ownerRef: OWNERS[entityRef],
      ownerExists: true,
    },
    evaluation: {
      entityRef,
      checks: [
        {
          checkId: 'slo-defined',
          status: slo,
          explanation: `The SLO check is ${slo}.`,
          enforced: slo !== 'warn',
        },
      ],
      scorecards: [
        {
          scorecardId: 'production-readiness',
          level,
          levelIndex: level === null ? -1 : LEVELS.indexOf(level),
          score: level === null ? 0 : 40 + 20 * LEVELS.indexOf(level),
          counts: {
            pass: slo === 'pass' ? 1 : 0,
            fail: slo === 'fail' ? 1 : 0,
            warn: slo === 'warn' ? 1 : 0,
            waived: slo === 'waived' ? 1 : 0,
            'not-applicable': 0,
            error: slo === 'error' ? 1 : 0,
          },
        },
      ],
    },
  };
}

function entity(entityRef: string): Entity {
  const [kind, rest] = entityRef.split(':');
  const name = rest.split('/')[1];
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: kind === 'group' ? 'Group' : 'Component',
    metadata: { name, namespace: 'default' },
    spec: {},
  };
}

const catalogEntities = [
  TEAM_A,
  TEAM_B,
  CHECKOUT,
  BILLING,
  SEARCH,
  SECRET,
  NEWBIE,
  RETURNING,
  LEGACY,
  UI_LIB,
].map(entity);

function userOf(options?: CatalogServiceRequestOptions) {
  const principal = options?.credentials?.principal as
    | Partial<BackstageUserPrincipal>
    | undefined;
  return principal?.userEntityRef;
}

/** The catalog, except that the outsider cannot read {@link SECRET}. */
function createCatalog() {
  const inner = catalogServiceMock({ entities: catalogEntities });
  return catalogServiceMock.mock({
    getEntities: async (req, options) => {
      const { items } = await inner.getEntities(req, options);
      return {
        items:
          userOf(options as CatalogServiceRequestOptions) === OUTSIDER
            ? items.filter(e => stringifyEntityRef(e) !== SECRET)
            : items,
      };
    },
  });
}

const INDICATORS = {
  'silver-plus': {
    title: 'At Silver or above',
    description: 'Production services at Silver or above.',
    measure: {
      type: 'level',
      scorecard: 'production-readiness',
      level: 'Silver',
    },
  },
  slo: {
    title: 'With an SLO',
    description: 'Production services with an SLO.',
    measure: { type: 'check', check: 'slo-defined' },
  },
  'lead-time': {
    title: 'Lead time',
    description: 'Median hours from commit to production.',
    measure: {
      type: 'fact',
      fact: 'leadTime',
      aggregate: 'median',
      unit: 'hours',
      higherIsBetter: false,
    },
  },
};

describe.each(databases.eachSupportedId())(
  'GET /indicators (%s)',
  (databaseId: TestDatabaseId) => {
    let app: express.Express;
    let defaultsApp: express.Express;
    let store: DatabaseScorecardsStore;
    /** What the router takes for the current time. */
    let now = NOW;

    const permissions = mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(() => ({ result: AuthorizeResult.ALLOW })),
      authorizeConditional: async (requests, options) =>
        requests.map(() => {
          const user = userOf(options as CatalogServiceRequestOptions);
          if (user === STRANGER) {
            return { result: AuthorizeResult.DENY };
          }
          return user === OUTSIDER
            ? createCatalogConditionalDecision(
                catalogEntityReadPermission,
                catalogConditions.isEntityOwner({ claims: [OUTSIDER] }),
              )
            : { result: AuthorizeResult.ALLOW };
        }),
    });

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      store = await DatabaseScorecardsStore.create({
        database: mockServices.database({ knex }),
      });
      const definitions = readScorecardDefinitions(mockServices.rootConfig());
      const clock = () => now;
      const options = {
        httpAuth: mockServices.httpAuth(),
        catalog: createCatalog(),
        permissions,
        auditor: mockServices.auditor.mock(),
        logger: mockServices.logger.mock(),
        store,
        runner: new EvaluationRunner({
          engine: new ScorecardEngine(definitions),
          store,
          catalog: createCatalog(),
          auth: mockServices.auth(),
          logger: mockServices.logger.mock(),
          clock,
        }),
        definitions,
        waiverMaxDuration: Duration.fromISO('P90D'),
        runTimeout: Duration.fromObject({ minutes: 5 }),
        clock,
      };
      app = express()
        .use(
          await createRouter({
            ...options,
            rollups: new RollupService({ store, definitions }),
            indicators: readIndicators(
              new ConfigReader({ scorecards: { indicators: INDICATORS } }),
              definitions,
            ),
          }),
        )
        .use(mockErrorHandler());
      defaultsApp = express()
        .use(
          await createRouter({
            ...options,
            rollups: new RollupService({ store, definitions }),
          }),
        )
        .use(mockErrorHandler());

      await store.saveOrgSnapshot({
        groups: [
          { ref: TEAM_A, title: 'Team A' },
          { ref: TEAM_B, title: 'Team B' },
        ],
        systems: [],
        domains: [],
      });

      // Forty days ago.
      await store.writeEvaluations(
        [
          record(CHECKOUT, 'Bronze', 'fail'),
          record(BILLING, 'Silver', 'pass'),
          record(SEARCH, 'Gold', 'waived'),
          record(SECRET, null, 'fail'),
          record(RETURNING, 'Silver', 'pass'),
          record(LEGACY, 'Gold', 'pass'),
        ],
        ago(40 * DAY),
      );
      await store.upsertFacts([
        {
          entityRef: CHECKOUT,
          name: 'leadTime',
          value: 10,
          observedAt: ago(40 * DAY).toISOString(),
        },
        {
          entityRef: BILLING,
          name: 'leadTime',
          value: 20,
          observedAt: ago(40 * DAY).toISOString(),
        },
        {
          entityRef: SEARCH,
          name: 'leadTime',
          value: 30,
          observedAt: ago(40 * DAY).toISOString(),
          freshFor: 'P30D',
        },
        {
          entityRef: SECRET,
          name: 'leadTime',
          value: 100,
          observedAt: ago(40 * DAY).toISOString(),
        },
        {
          entityRef: LEGACY,
          name: 'leadTime',
          value: 1000,
          observedAt: ago(40 * DAY).toISOString(),
        },
      ]);
      await store.removeEntities([RETURNING], ago(35 * DAY));

      // Now; SEARCH and LEGACY are unchanged, so their standing is still the one of 40 days ago.
      await store.writeEvaluations(
        [
          record(CHECKOUT, 'Silver', 'pass'),
          record(BILLING, 'Bronze', 'fail'),
          record(SEARCH, 'Gold', 'waived'),
          record(SECRET, 'Silver', 'pass'),
          record(NEWBIE, null, 'warn'),
          record(RETURNING, 'Silver', 'pass'),
          record(LEGACY, 'Gold', 'pass'),
          record(UI_LIB, 'Gold', 'pass'),
        ],
        ago(HOUR),
      );
      const pushed = await request(app)
        .post('/facts')
        .send({
          facts: [
            {
              entityRef: CHECKOUT,
              name: 'leadTime',
              value: 6,
              observedAt: ago(DAY).toISOString(),
              freshFor: 'P7D',
            },
            {
              entityRef: BILLING,
              name: 'leadTime',
              value: 'unknown',
              observedAt: ago(DAY).toISOString(),
            },
            {
              entityRef: NEWBIE,
              name: 'leadTime',
              value: 8,
              observedAt: ago(2 * HOUR).toISOString(),
            },
            {
              entityRef: UI_LIB,
              name: 'leadTime',
              value: 500,
              observedAt: ago(2 * HOUR).toISOString(),
            },
          ],
        });
      if (pushed.status !== 202) {
        throw new Error(`Could not push facts: ${pushed.text}`);
      }
    });

    async function get(
      path: string,
      who?: string,
      on: express.Express = app,
    ): Promise<IndicatorsResponse> {
      const req = request(on).get(path);
      const res = await (who ? req.set('Authorization', who) : req);
      expect(res.status).toBe(200);
      return res.body;
    }

    const byId = (body: IndicatorsResponse) =>
      Object.fromEntries(body.indicators.map(i => [i.id, i])) as Record<
        string,
        IndicatorResult
      >;

    it('answers each indicator now and 30 days ago, in configured order', async () => {
      const body = await get('/indicators');
      expect(body.scope).toBe('all');
      expect(body.indicators.map(i => i.id)).toEqual([
        'silver-plus',
        'slo',
        'lead-time',
      ]);
      const { 'silver-plus': level, slo, 'lead-time': lead } = byId(body);

      // Counted: the production services (not LEGACY nor UI_LIB). Now 4 of 6 are at Silver or
      // Gold; 30 days ago 2 of 4 were: NEWBIE was not there yet and RETURNING was removed.
      expect(level).toEqual({
        id: 'silver-plus',
        title: 'At Silver or above',
        description: 'Production services at Silver or above.',
        measure: {
          type: 'level',
          scorecardId: 'production-readiness',
          level: 'Silver',
        },
        now: { at: NOW.toISOString(), value: 66.7, entities: 6, meeting: 4 },
        before: { at: BEFORE, value: 50, entities: 4, meeting: 2 },
        change: 16.7,
        higherIsBetter: true,
      });

      // Pass or waived against fail or error; NEWBIE's warning is not counted.
      expect(slo).toMatchObject({
        measure: { type: 'check', checkId: 'slo-defined' },
        now: { value: 80, entities: 5, meeting: 4 },
        before: { at: BEFORE, value: 50, entities: 4, meeting: 2 },
        change: 30,
        higherIsBetter: true,
      });
      expect(slo.freshness).toBeUndefined();

      // Numeric values of production services: 6, 30, 100, 8 now (BILLING's is text); 10, 20,
      // 30, 100 thirty days ago.
      expect(lead).toEqual({
        id: 'lead-time',
        title: 'Lead time',
        description: 'Median hours from commit to production.',
        measure: {
          type: 'fact',
          fact: 'leadTime',
          aggregate: 'median',
          unit: 'hours',
        },
        now: { at: NOW.toISOString(), value: 19, entities: 4 },
        before: { at: BEFORE, value: 25, entities: 4 },
        change: -6,
        higherIsBetter: false,
        // SEARCH's value went stale after 30 days.
        freshness: {
          fresh: 3,
          stale: 1,
          oldestObservedAt: ago(40 * DAY).toISOString(),
          newestObservedAt: ago(2 * HOUR).toISOString(),
        },
      });
    });

    it('counts only the entities the caller may read', async () => {
      const {
        'silver-plus': level,
        slo,
        'lead-time': lead,
      } = byId(await get('/indicators', outsider));
      expect(level).toMatchObject({
        now: { value: 60, entities: 5, meeting: 3 },
        before: { value: 66.7, entities: 3, meeting: 2 },
        change: -6.7,
      });
      expect(slo).toMatchObject({
        now: { value: 75, entities: 4, meeting: 3 },
        before: { value: 66.7, entities: 3, meeting: 2 },
      });
      expect(lead).toMatchObject({
        now: { value: 8, entities: 3 },
        before: { value: 20, entities: 3 },
        freshness: { fresh: 2, stale: 1 },
      });

      const none = byId(await get('/indicators', stranger));
      expect(none['silver-plus']).toMatchObject({
        now: { value: null, entities: 0, meeting: 0 },
        before: { value: null, entities: 0, meeting: 0 },
        change: null,
      });
      expect(none['lead-time']).toMatchObject({
        now: { value: null, entities: 0 },
        freshness: {
          fresh: 0,
          stale: 0,
          oldestObservedAt: null,
          newestObservedAt: null,
        },
      });
    });

    it('counts a group scope with every group below it', async () => {
      const body = await get(`/indicators?scope=${TEAM_B}`);
      expect(body.scope).toBe(TEAM_B);
      const { 'silver-plus': level, 'lead-time': lead } = byId(body);
      // SEARCH, NEWBIE and RETURNING; 30 days ago only SEARCH.
      expect(level).toMatchObject({
        now: { value: 66.7, entities: 3, meeting: 2 },
        before: { value: 100, entities: 1, meeting: 1 },
      });
      expect(lead).toMatchObject({
        now: { value: 19, entities: 2 },
        before: { value: 30, entities: 1 },
      });
    });

    it('gives the four default indicators without configuration', async () => {
      const body = await get('/indicators', undefined, defaultsApp);
      expect(body.indicators.map(i => i.id)).toEqual([
        'silver-or-above',
        'slo-defined',
        'on-call',
        'security-review',
      ]);
      const { 'silver-or-above': silver, 'slo-defined': slo } = byId(body);
      expect(silver.now).toMatchObject({ value: 66.7, entities: 6 });
      expect(slo.now).toMatchObject({ value: 80, entities: 5 });
      // No entity has results of these checks.
      expect(byId(body)['on-call'].now).toMatchObject({
        value: null,
        entities: 0,
      });
    });

    it.each([
      ['/indicators?scope=team-a', "scope: 'team-a' is not a scope"],
      [
        '/indicators?scope=user:default/jane',
        "scope: 'user:default/jane' is not a scope",
      ],
      ['/indicators?scope=', "scope: '' is not a scope"],
    ])('GET %s is 400 saying what is wrong', async (path, message) => {
      const res = await request(app).get(path);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(`Invalid query: ${message}`);
    });

    it('is 404 for a scope the caller cannot see', async () => {
      const res = await request(app).get(
        '/indicators?scope=group:default/nobody',
      );
      expect(res.status).toBe(404);
      expect(res.body.error.message).toContain('No group group:default/nobody');
    });

    // Last: it changes what the others read.
    it('keeps an answer while the store stands, for a minute at most', async () => {
      const first = byId(await get('/indicators'))['lead-time'];
      expect(first.now.value).toBe(19);
      await store.upsertFacts([
        {
          entityRef: NEWBIE,
          name: 'leadTime',
          value: 90,
          observedAt: ago(HOUR).toISOString(),
        },
      ]);
      // Facts do not move the store's version: the same answer, until a minute has passed.
      now = new Date(NOW.getTime() + 30_000);
      expect(byId(await get('/indicators'))['lead-time']).toEqual(first);
      now = new Date(NOW.getTime() + 61_000);
      const later = byId(await get('/indicators'));
      // 6, 30, 90, 100.
      expect(later['lead-time'].now).toEqual({
        at: now.toISOString(),
        value: 60,
        entities: 4,
      });

      // A write of results moves the version: a new answer at once.
      expect(later['silver-plus'].now.meeting).toBe(4);
      await store.writeEvaluations(
        [record(NEWBIE, 'Gold', 'pass')],
        new Date(NOW.getTime() + 62_000),
      );
      now = new Date(NOW.getTime() + 63_000);
      expect(byId(await get('/indicators'))['silver-plus'].now).toMatchObject({
        value: 83.3,
        entities: 6,
        meeting: 5,
      });
    });
  },
);
