import {
  mockErrorHandler,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { EntitiesPageResponse } from '@guardrails/plugin-scorecards-common';
import express from 'express';
import { Duration } from 'luxon';
import request from 'supertest';
import { DatabaseScorecardsStore } from '../database';
import { readScorecardDefinitions } from '../definitions';
import { ScorecardEngine } from '../engine';
import { EvaluationRunner } from '../run/EvaluationRunner';
import { csvHeader } from './csv';
import { createRouter } from './router';
import { RollupService } from './RollupService';

jest.setTimeout(120_000);

/** More than two of the export's batches of 500, the last one short. */
const COMPONENTS = 1_100;

/** Components whose annotations vary, so that many share a score and the batches cut ties. */
function component(i: number): Entity {
  const name = `svc-${String(i).padStart(4, '0')}`;
  const annotations: Record<string, string> = {};
  if (i % 2 === 0) annotations['pagerduty.com/integration-key'] = `key-${i}`;
  if (i % 3 === 0) annotations['sonarqube.org/project-key'] = `acme_${name}`;
  if (i % 5 === 0) annotations['backstage.io/techdocs-ref'] = 'dir:.';
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
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
  ...Array.from({ length: COMPONENTS }, (_, i) => component(i)),
];

describe('the CSV export of the drill-down, beyond one batch', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let app: express.Express;

  beforeAll(async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseScorecardsStore.create({
      database: mockServices.database({ knex }),
    });
    const definitions = readScorecardDefinitions(mockServices.rootConfig());
    const runner = new EvaluationRunner({
      engine: new ScorecardEngine(definitions, { waiverMaxDuration: 'P90D' }),
      store,
      catalog: catalogServiceMock({ entities }),
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
    });
    const router = await createRouter({
      httpAuth: mockServices.httpAuth(),
      catalog: catalogServiceMock({ entities }),
      permissions: mockServices.permissions.mock({
        authorize: async requests =>
          requests.map(() => ({ result: AuthorizeResult.ALLOW })),
        authorizeConditional: async requests =>
          requests.map(() => ({ result: AuthorizeResult.ALLOW })),
      }),
      auditor: mockServices.auditor.mock(),
      logger: mockServices.logger.mock(),
      store,
      runner,
      rollups: new RollupService({ store, definitions }),
      definitions,
      waiverMaxDuration: Duration.fromISO('P90D'),
      runTimeout: Duration.fromObject({ minutes: 5 }),
    });
    app = express().use(router).use(mockErrorHandler());
    const run = await runner.run();
    if (run.status !== 'succeeded' || run.entities !== COMPONENTS) {
      throw new Error(`The run evaluated ${run.entities}: ${run.error}`);
    }
  });

  /** Every row of a listing, in order, through the JSON pages and their cursors. */
  async function pagedRefs(query: string): Promise<string[]> {
    const refs: string[] = [];
    let next = `/entities?${query}&pageSize=500`;
    for (;;) {
      const res = await request(app).get(next);
      expect(res.status).toBe(200);
      const body = res.body as EntitiesPageResponse;
      refs.push(...body.items.map(item => item.entityRef));
      if (!body.nextCursor) return refs;
      next = `/entities?cursor=${encodeURIComponent(body.nextCursor)}`;
    }
  }

  it.each(['sort=name', 'sort=-score', 'sort=failing'])(
    'holds every entity once, in the order of the pages, with the header once (%s)',
    async query => {
      const csv = await request(app).get(`/entities?format=csv&${query}`);
      expect(csv.status).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.text.startsWith(csvHeader())).toBe(true);
      expect(csv.text.endsWith('\r\n')).toBe(true);

      const lines = csv.text.split('\r\n').slice(0, -1);
      expect(lines.filter(line => `${line}\r\n` === csvHeader())).toHaveLength(
        1,
      );
      const refs = lines.slice(1).map(line => line.split(',')[0]);
      expect(refs).toHaveLength(COMPONENTS);
      expect(new Set(refs).size).toBe(COMPONENTS);
      expect(refs).toEqual(await pagedRefs(query));
      expect([...refs].sort()).toEqual(
        entities
          .filter(e => e.kind === 'Component')
          .map(e => `component:default/${e.metadata.name}`)
          .sort(),
      );
    },
  );

  it('orders by name across the batches', async () => {
    const csv = await request(app).get('/entities?format=csv&sort=name');
    const refs = csv.text
      .split('\r\n')
      .slice(1, -1)
      .map(line => line.split(',')[0]);
    // The names are zero-padded, so their order is their number's.
    expect(refs).toEqual(
      Array.from(
        { length: COMPONENTS },
        (_, i) => `component:default/svc-${String(i).padStart(4, '0')}`,
      ),
    );
  });
});
