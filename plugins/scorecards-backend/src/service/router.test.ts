import type { BackstageUserPrincipal } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { CatalogServiceRequestOptions } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  scorecardsFactWritePermission,
  scorecardsWaiverManagePermission,
  type CheckResultView,
  type EntityScorecardsResponse,
  type StoredWaiver,
} from '@guardrails/plugin-scorecards-common';
import express from 'express';
import { Duration } from 'luxon';
import request from 'supertest';
import { DatabaseScorecardsStore } from '../database';
import { readScorecardDefinitions } from '../definitions';
import { ScorecardEngine } from '../engine';
import { EvaluationRunner } from '../run/EvaluationRunner';
import { createRouter } from './router';
import { RollupService } from './RollupService';

jest.setTimeout(60_000);

const NOW = new Date('2026-11-26T12:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY).toISOString();

const CHECKOUT = 'component:default/checkout-api';
const LEGACY = 'component:default/legacy-batch';
const SECRET = 'component:default/secret-service';
const LIBRARY = 'component:default/shared-ui';
/** Declares waivers in its annotations: one that counts, one too long, one of no check. */
const BATCH = 'component:default/batch-mailer';
const MOCK_USER = 'user:default/mock';
/** A user the catalog does not show {@link SECRET} to. */
const OUTSIDER = 'user:default/outsider';
/** A user the policy denies every catalog read. */
const STRANGER = 'user:default/stranger';

function component(
  name: string,
  annotations: Record<string, string> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', title: name, annotations },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
  };
}

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'team-a', namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
  component('checkout-api', {
    'pagerduty.com/integration-key': 'a1b2c3',
    'sonarqube.org/project-key': 'acme_checkout',
  }),
  component('legacy-batch'),
  component('fresh-service'),
  component('secret-service', {
    'pagerduty.com/integration-key': 'd4e5f6',
  }),
  { ...component('shared-ui'), spec: { type: 'library', owner: 'team-a' } },
  component('batch-mailer', {
    'guardrails.dev/waive.runbook':
      '2027-01-31: The runbook moves with the docs',
    'guardrails.dev/waive.on-call': '2126-01-01: Nobody is ever paged',
    'guardrails.dev/waive.no-such-check': '2027-01-01: A typo',
  }),
];

function userOf(options?: CatalogServiceRequestOptions) {
  const principal = options?.credentials?.principal as
    | Partial<BackstageUserPrincipal>
    | undefined;
  return principal?.userEntityRef;
}

function isOutsider(options?: CatalogServiceRequestOptions) {
  return userOf(options) === OUTSIDER;
}

/** The in-memory catalog, except that the outsider cannot read {@link SECRET}. */
function createCatalog() {
  const inner = catalogServiceMock({ entities });
  return catalogServiceMock.mock({
    getEntityByRef: async (ref, options) =>
      isOutsider(options as CatalogServiceRequestOptions) && ref === SECRET
        ? undefined
        : inner.getEntityByRef(ref, options),
    getEntitiesByRefs: async (req, options) => {
      const { items } = await inner.getEntitiesByRefs(req, options);
      return {
        items: isOutsider(options as CatalogServiceRequestOptions)
          ? items.map((e, i) => (req.entityRefs[i] === SECRET ? undefined : e))
          : items,
      };
    },
    getEntities: async (req, options) => {
      const { items } = await inner.getEntities(req, options);
      return {
        items: isOutsider(options as CatalogServiceRequestOptions)
          ? items.filter(e => stringifyEntityRef(e) !== SECRET)
          : items,
      };
    },
    streamEntities: (req, options) => inner.streamEntities(req, options),
  });
}

describe('createRouter', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  const auditor = mockServices.auditor.mock();
  let decision: AuthorizeResult.ALLOW | AuthorizeResult.DENY =
    AuthorizeResult.ALLOW;
  const permissions = mockServices.permissions.mock({
    authorize: async requests => requests.map(() => ({ result: decision })),
    // The policy lets everyone read the catalog, but the outsider only under a condition that
    // the catalog applies (and that hides SECRET from them).
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
  let app: express.Express;
  let store: DatabaseScorecardsStore;
  /** The catalog the router reads, to see what it asks. */
  const routerCatalog = createCatalog();
  /** What the router and the runner take for the current time. */
  let now = NOW;

  const outsider = mockCredentials.user.header(OUTSIDER);

  beforeAll(async () => {
    const knex = await databases.init('SQLITE_3');
    store = await DatabaseScorecardsStore.create({
      database: mockServices.database({ knex }),
    });
    const definitions = readScorecardDefinitions(mockServices.rootConfig());
    const clock = () => now;
    const runner = new EvaluationRunner({
      engine: new ScorecardEngine(definitions, { waiverMaxDuration: 'P90D' }),
      store,
      catalog: createCatalog(),
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      clock,
    });
    const router = await createRouter({
      httpAuth: mockServices.httpAuth(),
      catalog: routerCatalog,
      permissions,
      auditor,
      logger: mockServices.logger.mock(),
      store,
      runner,
      rollups: new RollupService({ store, definitions }),
      definitions,
      waiverMaxDuration: Duration.fromISO('P90D'),
      runTimeout: Duration.fromObject({ minutes: 5 }),
      clock,
    });
    app = express().use(router).use(mockErrorHandler());
  });

  beforeEach(() => {
    now = NOW;
    decision = AuthorizeResult.ALLOW;
    auditor.createEvent.mockClear();
    permissions.authorize.mockClear();
  });

  async function evaluate(
    entityRef: string,
  ): Promise<EntityScorecardsResponse> {
    const res = await request(app).post('/entity/evaluate').send({ entityRef });
    expect(res.status).toBe(200);
    return res.body;
  }

  function checkOf(body: EntityScorecardsResponse, checkId: string) {
    const check = body.scorecards[0].checks.find(c => c.checkId === checkId);
    expect(check).toBeDefined();
    return check as CheckResultView;
  }

  /** The message of a response that must be a 400; it should name the field and say why. */
  async function badRequestMessage(response: PromiseLike<request.Response>) {
    const res = await response;
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    return String(res.body.error.message);
  }

  const validWaiver = (overrides: object = {}) => ({
    entityRef: LEGACY,
    checkId: 'on-call',
    reason: 'Batch job; nobody is paged for it until the rewrite ships',
    expiresAt: at(30),
    ...overrides,
  });

  describe('an entity without results', () => {
    it('is "not evaluated yet" while a scorecard applies to it', async () => {
      const res = await request(app).get(
        '/entity?entityRef=component:default/fresh-service',
      );
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        entityRef: 'component:default/fresh-service',
        status: 'not-evaluated',
        reason: expect.stringContaining('not been evaluated yet'),
        scorecards: [],
      });
    });

    it('is "not applicable" when no scorecard applies to it, evaluated or not', async () => {
      const group = 'group:default/team-a';
      const read = await request(app).get(`/entity?entityRef=${group}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({
        status: 'not-applicable',
        reason: `No scorecard applies to ${group}`,
        scorecards: [],
      });
      const evaluated = await request(app)
        .post('/entity/evaluate')
        .send({ entityRef: group });
      expect(evaluated.status).toBe(200);
      expect(evaluated.body.status).toBe('not-applicable');
    });

    it('is 404 when the catalog has no such entity', async () => {
      const res = await request(app).get(
        '/entity?entityRef=component:default/no-such-service',
      );
      expect(res.status).toBe(404);
    });
  });

  describe('the time of the last evaluation', () => {
    it('moves with every evaluation, while updatedAt stays at the last change', async () => {
      now = new Date(NOW.getTime() - DAY);
      const first = await evaluate(LEGACY);
      expect(first).toMatchObject({
        status: 'evaluated',
        evaluatedAt: now.toISOString(),
      });
      const changedAt = first.updatedAt;

      now = new Date(NOW.getTime() - DAY / 2);
      const again = await evaluate(LEGACY);
      expect(again.updatedAt).toBe(changedAt);
      expect(again.evaluatedAt).toBe(now.toISOString());

      const read = await request(app).get(`/entity?entityRef=${LEGACY}`);
      expect(read.body).toMatchObject({
        updatedAt: changedAt,
        evaluatedAt: now.toISOString(),
      });
    });

    it('says which checks read the entity and which read facts', async () => {
      const body = await evaluate(LEGACY);
      expect(checkOf(body, 'on-call').reads).toContain(
        'metadata.annotations.pagerduty.com/integration-key',
      );
      expect(checkOf(body, 'owner-exists').reads).toEqual(['relations']);
      expect(checkOf(body, 'chaos-practice').reads).toContain(
        'facts.chaos.lastExperimentAt',
      );
    });
  });

  describe('entities the caller cannot read', () => {
    let waiverId: string;

    beforeAll(async () => {
      await evaluate(SECRET);
      const res = await request(app)
        .post('/waivers')
        .send(validWaiver({ entityRef: SECRET, checkId: 'security-scanning' }));
      if (res.status !== 201) {
        throw new Error(`Could not create a waiver: ${res.text}`);
      }
      waiverId = res.body.id;
    });

    it('are there for a caller who can read them', async () => {
      const res = await request(app).get(`/entity?entityRef=${SECRET}`);
      expect(res.status).toBe(200);
      expect(res.body.entityRef).toBe(SECRET);
    });

    it.each([
      ['GET', `/entity?entityRef=${SECRET}`],
      ['GET', `/entity/history?entityRef=${SECRET}`],
      ['GET', `/facts?entityRef=${SECRET}`],
      ['GET', `/waivers?entityRef=${SECRET}`],
    ])('are 404 on %s %s', async (_method, path) => {
      const res = await request(app).get(path).set('Authorization', outsider);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toContain(SECRET);
    });

    it('are 404 and left out of lists for a caller denied every catalog read', async () => {
      const stranger = mockCredentials.user.header(STRANGER);
      const entity = await request(app)
        .get(`/entity?entityRef=${SECRET}`)
        .set('Authorization', stranger);
      expect(entity.status).toBe(404);
      const page = await request(app)
        .get('/entities')
        .set('Authorization', stranger);
      expect(page.status).toBe(200);
      expect(page.body.items).toEqual([]);
      const waivers = await request(app)
        .get('/waivers')
        .set('Authorization', stranger);
      expect(waivers.body.items).toEqual([]);
    });

    it('cannot be evaluated', async () => {
      const res = await request(app)
        .post('/entity/evaluate')
        .set('Authorization', outsider)
        .send({ entityRef: SECRET });
      expect(res.status).toBe(404);
    });

    it('cannot be waived, and say nothing about permissions', async () => {
      const res = await request(app)
        .post('/waivers')
        .set('Authorization', outsider)
        .send(validWaiver({ entityRef: SECRET }));
      expect(res.status).toBe(404);
      expect(permissions.authorize).not.toHaveBeenCalled();
      expect(auditor.createEvent).not.toHaveBeenCalled();
    });

    it('keep their waivers out of sight and out of reach', async () => {
      const list = await request(app)
        .get('/waivers')
        .set('Authorization', outsider);
      expect(list.status).toBe(200);
      expect(list.body.items.map((w: StoredWaiver) => w.id)).not.toContain(
        waiverId,
      );

      const revoke = await request(app)
        .delete(`/waivers/${waiverId}`)
        .set('Authorization', outsider);
      expect(revoke.status).toBe(404);
      expect(revoke.body.error.message).toBe(`No active waiver ${waiverId}`);
      const stillThere = await request(app).get(`/waivers?entityRef=${SECRET}`);
      expect(stillThere.body.items.map((w: StoredWaiver) => w.id)).toEqual([
        waiverId,
      ]);
    });

    it('are left out of drill-down totals and pages, whatever the filters', async () => {
      await evaluate(CHECKOUT);
      await evaluate(LEGACY);
      const page = (query: string, who?: string) => {
        const req = request(app).get(`/entities?${query}`);
        return (who ? req.set('Authorization', who) : req).then(r => r.body);
      };
      expect(await page('q=secret')).toMatchObject({ total: 1 });
      expect(await page('q=secret', outsider)).toMatchObject({
        total: 0,
        items: [],
      });
      expect(
        await page('failingCheck=security-scanning&q=secret', outsider),
      ).toMatchObject({ total: 0 });

      const mine = await page('sort=name&pageSize=500');
      const theirs = await page('sort=name&pageSize=2', outsider);
      expect(theirs.total).toBe(mine.total - 1);
      // Pages come back full: what is hidden is left out before paging.
      expect(theirs.items).toHaveLength(2);
      const refs = [];
      let next = theirs;
      for (;;) {
        refs.push(...next.items.map((i: { entityRef: string }) => i.entityRef));
        if (!next.nextCursor) break;
        next = await page(`cursor=${next.nextCursor}`, outsider);
        expect(next.total).toBe(theirs.total);
      }
      expect(refs).toEqual(
        mine.items
          .map((i: { entityRef: string }) => i.entityRef)
          .filter((r: string) => r !== SECRET),
      );
    });

    it('tag each view of a rollup, answering a caller who has it with 304', async () => {
      await evaluate(CHECKOUT);
      await evaluate(LEGACY);
      const mine = await request(app).get('/rollup?by=group');
      const theirs = await request(app)
        .get('/rollup?by=group')
        .set('Authorization', outsider);
      expect(mine.status).toBe(200);
      expect(mine.headers.etag).toMatch(/^W\/"/);
      expect(theirs.headers.etag).not.toBe(mine.headers.etag);

      const again = await request(app)
        .get('/rollup?by=group')
        .set('If-None-Match', mine.headers.etag);
      expect(again.status).toBe(304);
      expect(again.text).toBe('');
      const other = await request(app)
        .get('/rollup?by=group')
        .set('If-None-Match', theirs.headers.etag);
      expect(other.status).toBe(200);
      expect(other.body).toEqual(mine.body);
    });

    it('are not counted in their rollups and trends', async () => {
      const get = (path: string, who?: string) => {
        const req = request(app).get(path);
        return (who ? req.set('Authorization', who) : req).then(r => {
          expect(r.status).toBe(200);
          return r.body;
        });
      };
      for (const by of ['group', 'system', 'check']) {
        const mine = await get(`/rollup?by=${by}`);
        const theirs = await get(`/rollup?by=${by}`, outsider);
        expect(theirs.summary.entities).toBe(mine.summary.entities - 1);
      }
      const sum = (body: { rows: { counts: Record<string, number> }[] }) =>
        body.rows.reduce(
          (n, row) => n + Object.values(row.counts).reduce((a, b) => a + b, 0),
          0,
        );
      expect(sum(await get('/rollup?by=check', outsider))).toBe(
        sum(await get('/rollup?by=check')) - 14,
      );
      const last = (body: { points: { entities: number }[] }) =>
        body.points[body.points.length - 1].entities;
      expect(last(await get('/trends', outsider))).toBe(
        last(await get('/trends')) - 1,
      );
      const stranger = mockCredentials.user.header(STRANGER);
      expect((await get('/rollup', stranger)).summary.entities).toBe(0);
      expect(last(await get('/trends', stranger))).toBe(0);
    });

    it('are left out of the group tree, its pass rates, the movers, the teams and the new entities', async () => {
      const get = (path: string, who?: string) => {
        const req = request(app).get(path);
        return (who ? req.set('Authorization', who) : req).then(r => {
          expect(r.status).toBe(200);
          return r.body;
        });
      };
      await evaluate(CHECKOUT);
      await store.saveOrgSnapshot({
        groups: [{ ref: 'group:default/team-a', title: 'Team A' }],
        systems: [],
        domains: [],
      });
      // Another tool saw both with a runbook and a perfect score 20 days ago.
      await store.importHistory(
        {
          source: 'old-tool',
          events: [CHECKOUT, SECRET].flatMap(entityRef => [
            {
              type: 'scorecard' as const,
              entityRef,
              scorecardId: 'production-readiness',
              level: 'Gold',
              score: 100,
              at: at(-20),
            },
            {
              type: 'check' as const,
              entityRef,
              checkId: 'runbook',
              status: 'pass' as const,
              at: at(-20),
            },
          ]),
        },
        NOW,
      );

      for (const who of [undefined, outsider]) {
        const tree = await get('/rollup?by=group', who);
        const byCategory = await get('/rollup?by=category', who);
        const [team] = tree.groups;
        expect(team.ref).toBe('group:default/team-a');
        expect(team.own.entities).toBe(team.entities);
        expect(team.own.entities).toBe(
          tree.summary.entities - tree.unowned.entities,
        );
        // The tree's pass rates are those of the rollup by category, the team owning every entity.
        const rates = Object.fromEntries(
          byCategory.rows.map(
            (row: {
              category: string;
              counts: Record<string, number>;
              passRate: number | null;
            }) => [
              row.category,
              [
                row.counts.pass + row.counts.waived,
                row.counts.fail + row.counts.error,
                row.passRate,
              ],
            ],
          ),
        );
        expect(
          Object.fromEntries(
            team.categories.map(
              (c: {
                category: string;
                pass: number;
                fail: number;
                passRate: number | null;
              }) => [c.category, [c.pass, c.fail, c.passRate]],
            ),
          ),
        ).toEqual(rates);
      }
      const mine = await get('/rollup?by=group');
      const theirs = await get('/rollup?by=group', outsider);
      expect(theirs.groups[0].own.entities).toBe(
        mine.groups[0].own.entities - 1,
      );

      const window = `from=${encodeURIComponent(at(-10))}&interval=P5D`;
      const trend = await get(`/trends?${window}`);
      const refs = (list: { entityRef: string }[]) =>
        list.map(m => m.entityRef);
      expect(refs(trend.regressed)).toEqual(
        expect.arrayContaining([CHECKOUT, SECRET]),
      );
      const checkout = trend.regressed.find(
        (m: { entityRef: string }) => m.entityRef === CHECKOUT,
      );
      expect(checkout.fromScore).toBe(100);
      // The runbook it lost comes first: a check that went from passing to failing.
      expect(checkout.causes[0]).toEqual({
        checkId: 'runbook',
        title: expect.any(String),
        from: 'pass',
        to: 'fail',
      });
      expect(trend.teams.regressed).toEqual([
        expect.objectContaining({
          ref: 'group:default/team-a',
          entities: 2,
          fromScore: 100,
          causes: expect.arrayContaining([
            expect.objectContaining({ checkId: 'runbook', regressed: 2 }),
          ]),
        }),
      ]);
      expect(trend.new.total).toBeGreaterThan(0);
      expect(refs(trend.new.entities)).toContain(LEGACY);

      const hidden = await get(`/trends?${window}`, outsider);
      expect(refs(hidden.regressed)).toEqual([CHECKOUT]);
      expect(hidden.teams.regressed).toEqual([
        expect.objectContaining({ entities: 1 }),
      ]);
      expect(refs(hidden.new.entities)).not.toContain(SECRET);
      expect(hidden.new.total).toBe(trend.new.total);
    });

    it('ask the catalog once a minute per caller, and not at all when every read is allowed', async () => {
      routerCatalog.getEntities.mockClear();
      routerCatalog.getEntitiesByRefs.mockClear();
      for (const path of [
        '/rollup',
        '/entities',
        '/trends',
        '/waivers',
        '/runs',
      ]) {
        expect((await request(app).get(path)).status).toBe(200);
      }
      expect(routerCatalog.getEntities).not.toHaveBeenCalled();
      expect(routerCatalog.getEntitiesByRefs).not.toHaveBeenCalled();

      now = new Date(NOW.getTime() + 3_600_000);
      for (const path of ['/rollup', '/entities', '/trends', '/waivers']) {
        await request(app).get(path).set('Authorization', outsider);
      }
      expect(routerCatalog.getEntities).toHaveBeenCalledTimes(1);
      now = new Date(NOW.getTime() + 3_600_000 + 61_000);
      await request(app).get('/rollup').set('Authorization', outsider);
      expect(routerCatalog.getEntities).toHaveBeenCalledTimes(2);
    });

    it('are not counted in the runs they see', async () => {
      await store.finishRun(
        (
          await store.startRun({
            trigger: 'schedule',
            definitionsFingerprint: 'f',
            now: NOW,
          })
        ).id,
        { status: 'succeeded', entities: 7, changed: 1, removed: 0, now: NOW },
      );
      const mine = (await request(app).get('/runs?limit=1')).body.items[0];
      expect(mine).toMatchObject({ status: 'succeeded', entities: 7 });
      const [theirs] = (
        await request(app).get('/runs?limit=1').set('Authorization', outsider)
      ).body.items;
      expect(theirs).toEqual({
        id: mine.id,
        trigger: 'schedule',
        status: 'succeeded',
        startedAt: mine.startedAt,
        finishedAt: mine.finishedAt,
        durationMs: mine.durationMs,
        definitionsFingerprint: 'f',
      });
    });

    it('are left out of the drill-down', async () => {
      await evaluate(CHECKOUT);
      const mine = await request(app).get('/entities?sort=name');
      expect(
        mine.body.items.map((i: { entityRef: string }) => i.entityRef),
      ).toContain(SECRET);

      const theirs = await request(app)
        .get('/entities?sort=name')
        .set('Authorization', outsider);
      expect(theirs.status).toBe(200);
      const refs = theirs.body.items.map(
        (i: { entityRef: string }) => i.entityRef,
      );
      expect(refs).toContain(CHECKOUT);
      expect(refs).not.toContain(SECRET);

      const csv = await request(app)
        .get('/entities?format=csv')
        .set('Authorization', outsider);
      expect(csv.status).toBe(200);
      expect(csv.text).toContain(CHECKOUT);
      expect(csv.text).not.toContain(SECRET);
    });
  });

  describe('the heatmap', () => {
    it("puts the scope's groups against the scorecard's checks or categories", async () => {
      const checks = await request(app).get('/heatmap');
      expect(checks.status).toBe(200);
      const definitions = (await request(app).get('/definitions')).body;
      const scorecard = definitions.scorecards[0];
      expect(checks.body).toMatchObject({
        scorecardId: scorecard.id,
        scope: 'all',
        axis: 'check',
      });
      expect(checks.body.columns.map((c: { id: string }) => c.id)).toEqual(
        scorecard.checks,
      );
      const categories = await request(app).get('/heatmap?axis=category');
      expect(categories.status).toBe(200);
      expect(categories.body.axis).toBe('category');
    });

    it('is 404 for a scope the catalog does not have', async () => {
      const res = await request(app).get(
        '/heatmap?scope=group:default/no-such-team',
      );
      expect(res.status).toBe(404);
    });
  });

  describe('the drill-down, page by page', () => {
    const refsOf = (body: { items: { entityRef: string }[] }) =>
      body.items.map(i => i.entityRef);
    const get = async (query: string) => {
      const res = await request(app).get(`/entities?${query}`);
      expect(res.status).toBe(200);
      return res.body;
    };

    beforeEach(async () => {
      for (const ref of [CHECKOUT, LEGACY, SECRET, LIBRARY, BATCH]) {
        await evaluate(ref);
      }
    });

    it('follows next cursors to the end and previous cursors back, with the first total', async () => {
      const all = refsOf(await get('sort=name&pageSize=500'));
      expect(all.length).toBe(5);

      const pages = [await get('sort=name&pageSize=2')];
      expect(pages[0]).toMatchObject({ total: 5, pageSize: 2 });
      expect(pages[0].prevCursor).toBeUndefined();
      while (pages[pages.length - 1].nextCursor) {
        pages.push(await get(`cursor=${pages[pages.length - 1].nextCursor}`));
      }
      expect(pages.map(refsOf)).toEqual([
        all.slice(0, 2),
        all.slice(2, 4),
        all.slice(4),
      ]);
      expect(pages.map(p => p.total)).toEqual([5, 5, 5]);

      const back = await get(`cursor=${pages[2].prevCursor}`);
      expect(refsOf(back)).toEqual(all.slice(2, 4));
      const start = await get(`cursor=${back.prevCursor}`);
      expect(refsOf(start)).toEqual(all.slice(0, 2));
      expect(start.prevCursor).toBeUndefined();
      expect(refsOf(await get(`cursor=${start.nextCursor}`))).toEqual(
        all.slice(2, 4),
      );
    });

    it('counts a first page once while the results stand, and again once they change', async () => {
      const listScores = jest.spyOn(store, 'listScores');
      try {
        // Searches no other test makes: every ref holds a colon, one is default/legacy-batch.
        expect(await get('q=%3A&sort=name&pageSize=2')).toMatchObject({
          total: 5,
        });
        expect(await get('q=%3A&sort=-score&pageSize=3')).toMatchObject({
          total: 5,
        });
        expect(await get('q=default%2Flegacy')).toMatchObject({ total: 1 });
        // The same rows in another order and page size: counted once.
        expect(listScores.mock.calls.map(([, page]) => page?.count)).toEqual([
          true,
          false,
          true,
        ]);

        await store.removeEntities([CHECKOUT], now);
        expect(await get('q=%3A&sort=name&pageSize=2')).toMatchObject({
          total: 4,
        });
        expect(listScores.mock.calls[3][1]?.count).toBe(true);
      } finally {
        listScores.mockRestore();
      }
    });

    it('keeps the filters and sort of the first page; the same ones may be repeated', async () => {
      const first = await get('sort=-name&pageSize=1&kind=component');
      const again = await get(
        `sort=-name&pageSize=1&kind=component&cursor=${first.nextCursor}`,
      );
      const alone = await get(`pageSize=1&cursor=${first.nextCursor}`);
      expect(refsOf(again)).toEqual(refsOf(alone));
      expect(refsOf(alone)).not.toEqual(refsOf(first));
      expect(alone.total).toBe(first.total);
      // The page size may change from page to page.
      expect(
        refsOf(await get(`pageSize=3&cursor=${first.nextCursor}`)),
      ).toHaveLength(3);
    });

    it('is 400 for a cursor of another query, naming the cursor', async () => {
      const first = await get('sort=name&pageSize=1');
      expect(
        await badRequestMessage(
          request(app).get(`/entities?sort=score&cursor=${first.nextCursor}`),
        ),
      ).toContain('cursor: belongs to another query');
      expect(
        await badRequestMessage(
          request(app).get(
            `/entities?sort=name&q=checkout&cursor=${first.nextCursor}`,
          ),
        ),
      ).toContain('cursor: belongs to another query');
      // A cursor whose key does not fit its sort is not one the API made.
      const forged = Buffer.from(
        JSON.stringify({
          query: { sort: 'score' },
          dir: 'next',
          key: ['not a score', CHECKOUT, 'production-readiness'],
          total: 5,
        }),
      ).toString('base64url');
      expect(
        await badRequestMessage(request(app).get(`/entities?cursor=${forged}`)),
      ).toContain('cursor: not a cursor of this API');
    });

    it('checks the filters a cursor carries as it checks the request', async () => {
      const forged = Buffer.from(
        JSON.stringify({
          query: { sort: 'color' },
          dir: 'next',
          key: [],
          total: 5,
        }),
      ).toString('base64url');
      expect(
        await badRequestMessage(request(app).get(`/entities?cursor=${forged}`)),
      ).toContain("sort: unknown sort 'color'");
    });

    it('filters by lifecycle, owner, System and Domain, and its cursors keep them', async () => {
      const all = await get('sort=name&pageSize=500');
      const production = await get('sort=name&lifecycle=production');
      expect(refsOf(production)).toEqual(
        all.items
          .filter((i: { lifecycle?: string }) => i.lifecycle === 'production')
          .map((i: { entityRef: string }) => i.entityRef),
      );
      expect(production.total).toBeLessThan(all.total);
      const first = await get('sort=name&lifecycle=production&pageSize=2');
      const second = await get(
        `cursor=${encodeURIComponent(first.nextCursor)}`,
      );
      expect([...refsOf(first), ...refsOf(second)]).toEqual(
        refsOf(production).slice(0, 4),
      );

      expect(
        (await get('owner=group:default/team-a,group:default/team-b')).total,
      ).toBe(all.total);
      expect((await get('owner=group:default/team-b')).total).toBe(0);
      expect((await get('system=system:default/nowhere')).total).toBe(0);
      expect((await get('domain=nowhere')).total).toBe(0);
    });

    it('exports every matching entity as CSV, in the page order', async () => {
      const csv = await request(app).get('/entities?format=csv&sort=name');
      expect(csv.status).toBe(200);
      const lines = csv.text.split('\r\n').slice(1, -1);
      expect(lines.map(l => l.split(',')[0])).toEqual(
        refsOf(await get('sort=name&pageSize=500')),
      );
    });
  });

  describe('bad input', () => {
    it.each([
      ['/entity', 'entityRef: '],
      [
        '/entity?entityRef=checkout-api',
        "entityRef: 'checkout-api' is not an entity ref",
      ],
      ['/entity?entityRef=component:default/', 'entityRef: '],
      [
        '/entity/history?entityRef=nope',
        "entityRef: 'nope' is not an entity ref",
      ],
      [
        `/entity/history?entityRef=${CHECKOUT}&from=last-week`,
        'from: expected an ISO-8601 date',
      ],
      ['/facts?entityRef=', 'entityRef: '],
      ['/waivers?entityRef=x', "entityRef: 'x' is not an entity ref"],
      ['/waivers?active=maybe', 'active: '],
      [
        '/rollup?scope=user:default/jane',
        "scope: 'user:default/jane' is not a scope",
      ],
      ['/rollup?scope=team-a', "scope: 'team-a' is not a scope"],
      ['/rollup?by=owner', 'by: '],
      ['/heatmap?axis=owner', 'axis: '],
      [
        '/heatmap?scope=user:default/jane',
        "scope: 'user:default/jane' is not a scope",
      ],
      ['/rollup?depth=0', 'depth: '],
      ['/entities?owner=team-a', "owner.0: 'team-a' is not an entity ref"],
      ['/entities?owner=,', 'owner: expected one or more entity refs'],
      [
        '/entities?system=group:default/team-a',
        "system: 'group:default/team-a' is not a system ref",
      ],
      ['/rollup?depth=one', 'depth: expected a number'],
      [
        '/rollup?by=system&depth=1',
        'depth: only the group tree has levels; use it with by=group, not by=system',
      ],
      [
        '/entities?scope=user:default/jane',
        "scope: 'user:default/jane' is not a scope",
      ],
      [
        '/entities?sort=color',
        "sort: unknown sort 'color'; expected one of score, level, name, failing, since",
      ],
      ['/entities?sort=-color', "sort: unknown sort '-color'"],
      ['/entities?pageSize=0', 'pageSize: '],
      ['/entities?pageSize=501', 'pageSize: '],
      ['/entities?pageSize=ten', 'pageSize: '],
      ['/entities?page=0', 'page: offset paging is gone'],
      ['/entities?page=2', 'page: offset paging is gone'],
      ['/entities?cursor=nope', 'cursor: not a cursor of this API'],
      [
        `/entities?cursor=${Buffer.from('{"query":{}}').toString('base64url')}`,
        'cursor: not a cursor of this API',
      ],
      [
        `/entities?cursor=${Buffer.from(
          JSON.stringify({ query: {}, dir: 'next', key: [1], total: 3 }),
        ).toString('base64url')}`,
        'cursor: not a cursor of this API',
      ],
      [`/entities?cursor=${'a'.repeat(5000)}`, 'cursor: '],
      ['/entities?minScore=101', 'minScore: '],
      ['/entities?format=xlsx', 'format: '],
      [
        '/trends?scope=user:default/jane',
        "scope: 'user:default/jane' is not a scope",
      ],
      [
        '/trends?interval=P0D',
        "interval: 'P0D' is not a positive ISO-8601 duration",
      ],
      [
        '/trends?interval=weekly',
        "interval: 'weekly' is not a positive ISO-8601 duration",
      ],
      ['/trends?from=2026-11-01&to=2026-10-01', 'from must be before to'],
      [
        '/trends?from=2016-01-01&to=2026-01-01&interval=P1D',
        'more than 400 intervals',
      ],
      ['/runs?limit=0', 'limit: '],
    ])('GET %s is 400 naming the field', async (path, message) => {
      expect(await badRequestMessage(request(app).get(path))).toContain(
        message,
      );
    });

    it.each([
      [
        '/entities?level=Platinum',
        "level: unknown level 'Platinum' of scorecard 'production-readiness'; expected one of Bronze, Silver, Gold, none",
      ],
      ['/entities?minScore=', 'minScore: expected a number'],
      ['/entities?maxScore=%20', 'maxScore: expected a number'],
      ['/entities?minScore=0x10', 'minScore: expected a number'],
      ['/entities?page=', 'page: offset paging is gone'],
      ['/runs?limit=', 'limit: expected a number'],
      [
        '/entities?minScore=80&maxScore=20',
        'minScore must not be greater than maxScore',
      ],
    ])(
      'GET %s is 400, not a filter that matches nothing',
      async (path, message) => {
        expect(await badRequestMessage(request(app).get(path))).toContain(
          message,
        );
      },
    );

    it('reads a + in a query as the + it was, not as a space', async () => {
      await evaluate(CHECKOUT);
      await evaluate(LEGACY);
      const ascending = await request(app).get('/entities?sort=+score');
      expect(ascending.status).toBe(200);
      const scores = ascending.body.items.map(
        (i: { score: number }) => i.score,
      );
      expect(scores).toEqual([...scores].sort((a, b) => a - b));
      expect(scores.length).toBeGreaterThan(1);

      const history = await request(app).get(
        `/entity/history?entityRef=${CHECKOUT}&from=2026-11-01T00:00:00+01:00`,
      );
      expect(history.status).toBe(200);
      expect(history.body.from).toBe('2026-10-31T23:00:00.000Z');
    });

    it.each(['/waivers', '/facts', '/entity/evaluate'])(
      'calls a null body on POST %s what it is, not invalid JSON',
      async path => {
        const message = await badRequestMessage(
          request(app)
            .post(path)
            .set('Content-Type', 'application/json')
            .send('null'),
        );
        expect(message).toMatch(/^Invalid \w+: expected an object, got null$/);
      },
    );

    it('still calls JSON that does not parse invalid', async () => {
      const res = await request(app)
        .post('/waivers')
        .set('Content-Type', 'application/json')
        .send('{"entityRef":');
      expect(res.status).toBe(400);
    });

    it.each([
      ['/entities?scorecard=api-quality', "No scorecard 'api-quality'"],
      ['/rollup?scorecard=api-quality', "No scorecard 'api-quality'"],
      ['/trends?scorecard=api-quality', "No scorecard 'api-quality'"],
      ['/entities?failingCheck=has-swagger', "No check 'has-swagger'"],
      ['/rollup?scope=group:default/nobody', 'No group group:default/nobody'],
      ['/entities?scope=group:default/nobody', 'No group group:default/nobody'],
    ])('GET %s is 404 saying what is missing', async (path, message) => {
      const res = await request(app).get(path);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toContain(message);
    });

    it('rejects an evaluation request without an entity ref', async () => {
      expect(
        await badRequestMessage(
          request(app)
            .post('/entity/evaluate')
            .send({ entityRef: 'checkout-api' }),
        ),
      ).toContain("entityRef: 'checkout-api' is not an entity ref");
    });

    const fact = (overrides: object = {}) => ({
      entityRef: CHECKOUT,
      name: 'chaos',
      value: { lastExperimentAt: at(-3) },
      ...overrides,
    });
    /** `[[[…]]]`, `depth` arrays deep. */
    const nested = (depth: number) => {
      let value: unknown = 1;
      for (let i = 0; i < depth; i++) value = [value];
      return value;
    };

    it.each([
      ['no facts', {}, 'facts: '],
      ['an empty list', { facts: [] }, 'facts: '],
      [
        '1001 facts',
        { facts: Array.from({ length: 1001 }, () => fact()) },
        'facts: ',
      ],
      [
        'a fact without a name',
        { facts: [{ entityRef: CHECKOUT, value: 1 }] },
        'facts.0.name: ',
      ],
      [
        'a fact without a value',
        { facts: [{ entityRef: CHECKOUT, name: 'chaos' }] },
        'facts.0.value: ',
      ],
      [
        'a fact name rules cannot read',
        { facts: [fact(), fact({ name: 'chaos.lastRun' })] },
        'facts.1.name: a fact name starts with a letter',
      ],
      [
        'a fact name starting with a digit',
        { facts: [fact({ name: '9lives' })] },
        'facts.0.name: a fact name starts with a letter',
      ],
      [
        'a bad entity ref',
        { facts: [fact({ entityRef: 'checkout-api' })] },
        "facts.0.entityRef: 'checkout-api' is not an entity ref",
      ],
      [
        'an observation in the future',
        { facts: [fact({ observedAt: at(1) })] },
        'facts.0.observedAt: observedAt is in the future',
      ],
      [
        'an observation that is not a date',
        { facts: [fact({ observedAt: 'yesterday' })] },
        'facts.0.observedAt: expected an ISO-8601 date',
      ],
      [
        'a freshness that is not a duration',
        { facts: [fact({ freshFor: '30 days' })] },
        "facts.0.freshFor: '30 days' is not a positive ISO-8601 duration",
      ],
      [
        'a freshness of zero',
        { facts: [fact({ freshFor: 'PT0S' })] },
        "facts.0.freshFor: 'PT0S' is not a positive",
      ],
      [
        'an entity ref longer than the store keeps',
        {
          facts: [fact({ entityRef: `component:default/${'x'.repeat(600)}` })],
        },
        'facts.0.entityRef: an entity ref has at most 512 characters',
      ],
      [
        'a value nested 33 levels deep',
        { facts: [fact({ value: nested(33) })] },
        'facts.0.value: a fact value may be nested at most 32 levels deep',
      ],
      [
        'a value larger than 32 KiB',
        { facts: [fact({ value: 'x'.repeat(33 * 1024) })] },
        'facts.0.value: a fact value may take at most 32768 bytes as JSON',
      ],
    ])('rejects facts with %s', async (_what, body, message) => {
      expect(
        await badRequestMessage(request(app).post('/facts').send(body)),
      ).toContain(message);
      expect(auditor.createEvent).not.toHaveBeenCalled();
    });

    it('rejects a fact value nested thousands of levels deep, without overflowing', async () => {
      // As a client would send it: JSON.stringify itself overflows on such a value.
      const body = `{"facts":[{"entityRef":"${CHECKOUT}","name":"deep","value":${'['.repeat(
        5000,
      )}1${']'.repeat(5000)}}]}`;
      expect(
        await badRequestMessage(
          request(app)
            .post('/facts')
            .set('Content-Type', 'application/json')
            .send(body),
        ),
      ).toBe(
        'Invalid facts: facts.0.value: a fact value may be nested at most 32 levels deep',
      );
    });

    it.each([
      ['no reason', { reason: undefined }, 'reason: a waiver needs a reason'],
      ['a blank reason', { reason: '   ' }, 'reason: a waiver needs a reason'],
      [
        'a reason that is not text',
        { reason: 42 },
        'reason: a waiver needs a reason',
      ],
      [
        'an over-long reason',
        { reason: 'x'.repeat(2001) },
        'reason: a waiver reason may be at most 2000 characters',
      ],
      [
        'an expiry in the past',
        { expiresAt: at(-1) },
        'expiresAt: expiresAt must be in the future',
      ],
      [
        'an expiry beyond the maximum',
        { expiresAt: at(91) },
        'expiresAt: a waiver may last at most P90D',
      ],
      ['no expiry', { expiresAt: undefined }, 'expiresAt: '],
      [
        'an expiry that is not a date',
        { expiresAt: 'end of quarter' },
        'expiresAt: expected an ISO-8601 date',
      ],
      // 1 December to some readers, 12 January to others.
      [
        'an expiry in a locale format',
        { expiresAt: '01/12/2027' },
        'expiresAt: expected an ISO-8601 date',
      ],
      [
        'an unknown check',
        { checkId: 'has-swagger' },
        'checkId: no such check',
      ],
      [
        'a bad entity ref',
        { entityRef: 'legacy-batch' },
        "entityRef: 'legacy-batch' is not an entity ref",
      ],
    ])('rejects a waiver with %s', async (_what, overrides, message) => {
      expect(
        await badRequestMessage(
          request(app).post('/waivers').send(validWaiver(overrides)),
        ),
      ).toContain(message);
      expect(auditor.createEvent).not.toHaveBeenCalled();
    });

    it('rejects a waiver id that cannot be one, and 404s an unknown one', async () => {
      expect(
        await badRequestMessage(
          request(app).delete(`/waivers/${'x'.repeat(101)}`),
        ),
      ).toContain('id: ');
      const res = await request(app).delete('/waivers/3f1e0a6c-no-such-waiver');
      expect(res.status).toBe(404);
    });
  });

  describe('waivers', () => {
    it('are refused when the policy denies, and nothing changes', async () => {
      decision = AuthorizeResult.DENY;
      const res = await request(app).post('/waivers').send(validWaiver());
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('scorecards.waiver.manage');
      expect(permissions.authorize).toHaveBeenCalledWith(
        [{ permission: scorecardsWaiverManagePermission, resourceRef: LEGACY }],
        expect.anything(),
      );
      expect(auditor.createEvent).not.toHaveBeenCalled();
      const list = await request(app).get(`/waivers?entityRef=${LEGACY}`);
      expect(list.body.items).toEqual([]);
    });

    it('excuse a failing check until revoked, with an audit trail', async () => {
      const before = await evaluate(LEGACY);
      expect(checkOf(before, 'on-call').status).toBe('fail');

      const created = await request(app).post('/waivers').send(validWaiver());
      expect(created.status).toBe(201);
      const waiver: StoredWaiver = created.body;
      expect(waiver).toMatchObject({
        id: expect.any(String),
        entityRef: LEGACY,
        checkId: 'on-call',
        reason: validWaiver().reason,
        expiresAt: at(30),
        grantedBy: MOCK_USER,
        createdAt: NOW.toISOString(),
        source: 'api',
      });
      expect(permissions.authorize).toHaveBeenCalledWith(
        [{ permission: scorecardsWaiverManagePermission, resourceRef: LEGACY }],
        expect.anything(),
      );
      expect(auditor.createEvent).toHaveBeenCalledWith(
        expect.objectContaining({
          eventId: 'waiver-create',
          severityLevel: 'medium',
          meta: { entityRef: LEGACY, checkId: 'on-call', expiresAt: at(30) },
        }),
      );
      const createEvent = await auditor.createEvent.mock.results[0].value;
      expect(createEvent.success).toHaveBeenCalledWith({
        meta: { waiverId: waiver.id },
      });

      // The router re-evaluated the entity: no separate evaluation needed.
      const waived = (await request(app).get(`/entity?entityRef=${LEGACY}`))
        .body;
      const onCall = checkOf(waived, 'on-call');
      expect(onCall.status).toBe('waived');
      expect(onCall.waiver).toMatchObject({
        applied: true,
        waiver: expect.objectContaining({ reason: validWaiver().reason }),
      });
      expect(waived.scorecards[0].score).toBeGreaterThan(
        before.scorecards[0].score,
      );
      expect(waived.scorecards[0].nextLevel.blockedBy).not.toContain('on-call');

      const listed = await request(app).get(`/waivers?entityRef=${LEGACY}`);
      expect(listed.body.items.map((w: StoredWaiver) => w.id)).toEqual([
        waiver.id,
      ]);

      decision = AuthorizeResult.DENY;
      const refused = await request(app).delete(`/waivers/${waiver.id}`);
      expect(refused.status).toBe(403);
      expect(
        checkOf(
          (await request(app).get(`/entity?entityRef=${LEGACY}`)).body,
          'on-call',
        ).status,
      ).toBe('waived');

      decision = AuthorizeResult.ALLOW;
      auditor.createEvent.mockClear();
      const revoked = await request(app).delete(`/waivers/${waiver.id}`);
      expect(revoked.status).toBe(204);
      expect(auditor.createEvent).toHaveBeenCalledWith(
        expect.objectContaining({
          eventId: 'waiver-revoke',
          meta: { waiverId: waiver.id, entityRef: LEGACY, checkId: 'on-call' },
        }),
      );
      const revokeEvent = await auditor.createEvent.mock.results[0].value;
      expect(revokeEvent.success).toHaveBeenCalled();

      const after = (await request(app).get(`/entity?entityRef=${LEGACY}`))
        .body;
      expect(checkOf(after, 'on-call').status).toBe('fail');
      expect(after.scorecards[0].score).toBe(before.scorecards[0].score);

      const active = await request(app).get(`/waivers?entityRef=${LEGACY}`);
      expect(active.body.items).toEqual([]);
      const all = await request(app).get(
        `/waivers?entityRef=${LEGACY}&active=false`,
      );
      expect(all.body.items).toEqual([
        expect.objectContaining({
          id: waiver.id,
          revokedAt: NOW.toISOString(),
          revokedBy: MOCK_USER,
        }),
      ]);

      const again = await request(app).delete(`/waivers/${waiver.id}`);
      expect(again.status).toBe(404);
    });

    it('cannot be revoked once expired', async () => {
      const created = await request(app)
        .post('/waivers')
        .send(validWaiver({ checkId: 'security-scanning', expiresAt: at(1) }));
      expect(created.status).toBe(201);
      expect(
        checkOf(
          (await request(app).get(`/entity?entityRef=${LEGACY}`)).body,
          'security-scanning',
        ).status,
      ).toBe('waived');

      now = new Date(at(2));
      expect(checkOf(await evaluate(LEGACY), 'security-scanning').status).toBe(
        'fail',
      );
      const active = await request(app).get(`/waivers?entityRef=${LEGACY}`);
      expect(active.body.items).toEqual([]);

      auditor.createEvent.mockClear();
      const res = await request(app).delete(`/waivers/${created.body.id}`);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toContain('No active waiver');
      expect(auditor.createEvent).not.toHaveBeenCalled();
    });
  });

  describe('runs', () => {
    it('show a run that outlived its timeout as abandoned', async () => {
      const run = await store.startRun({
        trigger: 'schedule',
        definitionsFingerprint: 'f',
        now: new Date(NOW.getTime() - 4 * 60_000),
      });
      const status = async () =>
        (await request(app).get('/runs')).body.items.find(
          (r: { id: string }) => r.id === run.id,
        );
      expect(await status()).toMatchObject({ status: 'running' });
      now = new Date(NOW.getTime() + 60_001);
      expect(await status()).toMatchObject({
        status: 'abandoned',
        error:
          'The run did not finish within its timeout of 5 minutes: the backend running it stopped',
      });
    });
  });

  describe('waivers that would do nothing', () => {
    it('are refused for an entity no scorecard evaluates', async () => {
      const message = await badRequestMessage(
        request(app)
          .post('/waivers')
          .send(validWaiver({ entityRef: 'group:default/team-a' })),
      );
      expect(message).toBe(
        'Invalid waiver: no scorecard evaluates group:default/team-a, so a waiver would change nothing',
      );
      expect(auditor.createEvent).not.toHaveBeenCalled();
    });

    it('are refused for a check that does not apply to the entity', async () => {
      const message = await badRequestMessage(
        request(app)
          .post('/waivers')
          .send(validWaiver({ entityRef: LIBRARY })),
      );
      expect(message).toContain(
        `Invalid waiver: checkId: the check 'on-call' does not apply to ${LIBRARY}`,
      );
      expect(auditor.createEvent).not.toHaveBeenCalled();
    });

    it('are refused as a duplicate of an active waiver', async () => {
      const first = await request(app)
        .post('/waivers')
        .send(validWaiver({ checkId: 'runbook' }));
      expect(first.status).toBe(201);
      auditor.createEvent.mockClear();

      const again = await request(app)
        .post('/waivers')
        .send(validWaiver({ checkId: 'runbook', expiresAt: at(60) }));
      expect(again.status).toBe(409);
      expect(again.body.error.message).toBe(
        `${LEGACY} already has an active waiver of 'runbook' until ${at(30)} (${
          first.body.id
        }); revoke it to grant another`,
      );
      expect(auditor.createEvent).not.toHaveBeenCalled();
      await request(app).delete(`/waivers/${first.body.id}`).expect(204);
    });

    it('are refused where an annotation already waives the check', async () => {
      await evaluate(BATCH);
      const res = await request(app)
        .post('/waivers')
        .send(validWaiver({ entityRef: BATCH, checkId: 'runbook' }));
      expect(res.status).toBe(409);
      expect(res.body.error.message).toBe(
        `The check 'runbook' of ${BATCH} is already waived until 2027-01-31 by the annotation guardrails.dev/waive.runbook`,
      );
    });
  });

  describe('annotation waivers', () => {
    it('are listed beside API waivers, saying why one does not count', async () => {
      await evaluate(BATCH);
      const res = await request(app).get(`/waivers?entityRef=${BATCH}`);
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([
        {
          entityRef: BATCH,
          checkId: 'on-call',
          reason: 'Nobody is ever paged',
          expiresAt: '2126-01-01T23:59:59.999Z',
          grantedBy: 'group:default/team-a',
          source: 'annotation',
          annotation: 'guardrails.dev/waive.on-call',
          problem:
            'the waiver lasts until 2126-01-01, longer than a waiver may (90 days, so until 2027-02-24 at the latest)',
        },
        {
          entityRef: BATCH,
          checkId: 'runbook',
          reason: 'The runbook moves with the docs',
          expiresAt: '2027-01-31T23:59:59.999Z',
          grantedBy: 'group:default/team-a',
          source: 'annotation',
          annotation: 'guardrails.dev/waive.runbook',
        },
      ]);
      now = new Date(at(70));
      const later = await request(app).get(`/waivers?entityRef=${BATCH}`);
      expect(later.body.items.map((w: StoredWaiver) => w.checkId)).toEqual([
        'on-call',
      ]);
      const all = await request(app).get(
        `/waivers?entityRef=${BATCH}&active=false`,
      );
      expect(all.body.items).toHaveLength(2);
    });

    it('do not excuse a check for longer than API waivers may last', async () => {
      const body = await evaluate(BATCH);
      expect(checkOf(body, 'on-call')).toMatchObject({
        status: 'fail',
        waiver: {
          applied: false,
          problem: expect.stringContaining('2126-01-01'),
        },
      });
      expect(checkOf(body, 'runbook').status).toBe('waived');
      expect(body.scorecards[0].level).toBeNull();
    });

    it('that name no check are reported on the entity', async () => {
      await evaluate(BATCH);
      await evaluate(CHECKOUT);
      const res = await request(app).get(`/entity?entityRef=${BATCH}`);
      expect(res.body.waiverProblems).toEqual([
        {
          checkId: 'no-such-check',
          annotation: 'guardrails.dev/waive.no-such-check',
          problem:
            "The waiver names the check 'no-such-check', which does not exist.",
        },
      ]);
      const clean = await request(app).get(`/entity?entityRef=${CHECKOUT}`);
      expect(clean.body.waiverProblems).toBeUndefined();
    });
  });

  describe('facts', () => {
    const chaos = {
      entityRef: CHECKOUT,
      name: 'chaos',
      value: { lastExperimentAt: at(-3) },
    };

    it('are refused when the policy denies, and nothing is stored', async () => {
      decision = AuthorizeResult.DENY;
      const res = await request(app)
        .post('/facts')
        .send({ facts: [{ ...chaos, entityRef: LEGACY }] });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('scorecards.fact.write');
      expect(permissions.authorize).toHaveBeenCalledWith(
        [{ permission: scorecardsFactWritePermission }],
        expect.anything(),
      );
      expect(auditor.createEvent).not.toHaveBeenCalled();
      const read = await request(app).get(`/facts?entityRef=${LEGACY}`);
      expect(read.body).toMatchObject({ facts: [], total: 0 });
    });

    it('are stored, read back and used by the next evaluation', async () => {
      const before = await evaluate(CHECKOUT);
      expect(checkOf(before, 'chaos-practice').status).toBe('warn');

      const res = await request(app)
        .post('/facts')
        // Refs are normalised, as the catalog writes them.
        .send({
          facts: [{ ...chaos, entityRef: 'Component:Default/checkout-api' }],
        });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ accepted: 1 });
      expect(auditor.createEvent).toHaveBeenCalledWith(
        expect.objectContaining({
          eventId: 'fact-write',
          meta: { count: 1, entityRefs: [CHECKOUT] },
        }),
      );
      const event = await auditor.createEvent.mock.results[0].value;
      expect(event.success).toHaveBeenCalled();

      const read = await request(app).get(`/facts?entityRef=${CHECKOUT}`);
      expect(read.status).toBe(200);
      expect(read.body.facts).toEqual([
        {
          entityRef: CHECKOUT,
          name: 'chaos',
          value: chaos.value,
          observedAt: NOW.toISOString(),
          source: MOCK_USER,
        },
      ]);

      const after = await evaluate(CHECKOUT);
      const practice = checkOf(after, 'chaos-practice');
      expect(practice.status).toBe('pass');
      expect(practice.explanation).toEqual(expect.any(String));
    });

    it('are kept for an entity the catalog has not processed yet', async () => {
      const unknown = 'component:default/not-in-the-catalog-yet';
      const res = await request(app)
        .post('/facts')
        .send({ facts: [{ ...chaos, entityRef: unknown }] });
      expect(res.status).toBe(202);
      const read = await request(app).get(`/facts?entityRef=${unknown}`);
      expect(read.body.facts).toEqual([
        expect.objectContaining({ entityRef: unknown, name: 'chaos' }),
      ]);
    });

    it('are limited to 100 names per entity, the ones stored included', async () => {
      const ref = 'component:default/chatty-service';
      const named = (from: number, to: number) =>
        Array.from({ length: to - from }, (_, i) => ({
          entityRef: ref,
          name: `metric${from + i}`,
          value: i,
        }));
      expect(
        (
          await request(app)
            .post('/facts')
            .send({ facts: named(0, 60) })
        ).status,
      ).toBe(202);
      // Replacing stored names adds none.
      expect(
        (
          await request(app)
            .post('/facts')
            .send({ facts: named(20, 100) })
        ).status,
      ).toBe(202);
      auditor.createEvent.mockClear();
      const message = await badRequestMessage(
        request(app)
          .post('/facts')
          .send({ facts: named(99, 102) }),
      );
      expect(message).toBe(
        `Invalid facts: ${ref} would have more than 100 facts (each name is one fact)`,
      );
      expect(auditor.createEvent).not.toHaveBeenCalled();

      const page = await request(app).get(
        `/facts?entityRef=${ref}&pageSize=30&page=4`,
      );
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ total: 100, page: 4, pageSize: 30 });
      expect(page.body.facts).toHaveLength(10);
      const first = await request(app).get(`/facts?entityRef=${ref}`);
      expect(first.body).toMatchObject({ total: 100, page: 1, pageSize: 50 });
      expect(first.body.facts).toHaveLength(50);
      expect(
        await badRequestMessage(
          request(app).get(`/facts?entityRef=${ref}&pageSize=101`),
        ),
      ).toContain('pageSize: ');
    });

    it('replace the previous value of the same name', async () => {
      const observedAt = at(-1);
      const res = await request(app)
        .post('/facts')
        .send({
          facts: [
            {
              ...chaos,
              value: { lastExperimentAt: at(-200) },
              observedAt,
              freshFor: 'P30D',
              source: 'chaos-monkey',
            },
          ],
        });
      expect(res.status).toBe(202);
      const read = await request(app).get(`/facts?entityRef=${CHECKOUT}`);
      expect(read.body.facts).toEqual([
        {
          entityRef: CHECKOUT,
          name: 'chaos',
          value: { lastExperimentAt: at(-200) },
          observedAt,
          freshFor: 'P30D',
          source: 'chaos-monkey',
        },
      ]);
      // An experiment 200 days ago is no longer practice.
      expect(checkOf(await evaluate(CHECKOUT), 'chaos-practice').status).toBe(
        'warn',
      );
    });
  });
});
