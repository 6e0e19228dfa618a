import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { RunRecord } from '@guardrails/plugin-scorecards-common';
import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import { DatabaseScorecardsStore } from './database';
import { scorecardsPlugin } from './plugin';
import { component, EXEMPLARY, group } from './run/testEntities';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
const CADENCE_MS = 800;
const TIMEOUT_MS = 2000;

const entities = [
  group('commerce'),
  group('team-checkout', 'commerce'),
  component('checkout-api', { owner: 'team-checkout', ...EXEMPLARY }),
  component('cart-service', { owner: 'team-checkout' }),
];

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** A backend replica on a shared database, with its own catalog and the given schedule. */
function replica(knex: Knex, catalog: CatalogService, schedule: JsonObject) {
  return startTestBackend({
    features: [
      scorecardsPlugin,
      schedulerServiceFactory,
      mockServices.database.factory({ knex }),
      createServiceFactory({
        service: catalogServiceRef,
        deps: {},
        factory: () => catalog,
      }),
      mockServices.rootConfig.factory({ data: { scorecards: { schedule } } }),
    ],
  });
}

async function waitFor<T>(what: string, find: () => Promise<T | undefined>) {
  for (let i = 0; i < 1000; i++) {
    const found = await find();
    if (found !== undefined) return found;
    await sleep(50);
  }
  throw new Error(`Timed out waiting for ${what}`);
}

describe.each(databases.eachSupportedId())('several replicas on %p', id => {
  it('run each cadence of the evaluation once between them', async () => {
    const knex = await databases.init(id);
    const reads = [0, 0];
    const counting = (index: number) => {
      const catalog = catalogServiceMock({ entities });
      const stream = catalog.streamEntities.bind(catalog);
      catalog.streamEntities = (req, options) => {
        if (req?.fields?.includes('relations')) reads[index]++;
        return stream(req, options);
      };
      return catalog;
    };
    const schedule = {
      frequency: { milliseconds: CADENCE_MS },
      timeout: { seconds: 30 },
      initialDelay: { milliseconds: 0 },
    };
    const started = Date.now();
    // One after the other, as a rolling deployment starts them.
    const backends = [
      await replica(knex, counting(1), schedule),
      await replica(knex, counting(0), schedule),
    ];
    const store = await DatabaseScorecardsStore.create({
      database: mockServices.database({ knex }),
      skipMigrations: true,
    });

    // Four cadences: a duplicate run would show as two runs in one of them.
    await waitFor('four runs', async () =>
      (await store.listRuns(100)).filter(r => r.status === 'succeeded')
        .length >= 4
        ? true
        : undefined,
    );
    await Promise.all(backends.map(b => b.stop()));
    const elapsed = Date.now() - started;

    const runs = (await store.listRuns(100)).reverse();
    // Both replicas scheduled the task, so a duplicate would show as two runs per cadence.
    expect(runs.length).toBeGreaterThanOrEqual(4);
    expect(runs.length).toBeLessThanOrEqual(
      Math.ceil(elapsed / CADENCE_MS) + 1,
    );
    for (let i = 1; i < runs.length; i++) {
      const gap =
        Date.parse(runs[i].startedAt) - Date.parse(runs[i - 1].startedAt);
      expect(gap).toBeGreaterThanOrEqual(CADENCE_MS * 0.75);
    }
    expect(runs.every(r => r.status === 'succeeded')).toBe(true);
    expect(runs[0]).toMatchObject({ entities: 2, changed: 2 });
    expect(runs.slice(1).every(r => r.changed === 0)).toBe(true);
    // Each run read the catalog once, on whichever replica claimed the cadence.
    expect(reads[0] + reads[1]).toBe(runs.length);
  });

  it('leaves its run abandoned, and the next run starts after the timeout, not a cadence later', async () => {
    const knex = await databases.init(id);
    // The replica that dies has connections of its own, so that it can lose them alone.
    const dying = knexFactory({
      client: 'pg',
      connection: knex.client.config.connection,
    });

    // Its catalog serves the light read, then never answers the evaluation read.
    const healthy = catalogServiceMock({ entities });
    const hanging: CatalogService = Object.assign(Object.create(healthy), {
      async *streamEntities(
        req: Parameters<CatalogService['streamEntities']>[0],
        options: Parameters<CatalogService['streamEntities']>[1],
      ) {
        if (req?.fields?.includes('relations')) {
          await new Promise(() => {});
        }
        yield* healthy.streamEntities(req, options);
      },
    });
    const schedule = {
      frequency: { hours: 1 },
      timeout: { milliseconds: TIMEOUT_MS },
      initialDelay: { milliseconds: 0 },
    };
    const first = await replica(dying, hanging, schedule);
    const store = await DatabaseScorecardsStore.create({
      database: mockServices.database({ knex }),
      skipMigrations: true,
    });
    const crashed: RunRecord = await waitFor('the first run', async () =>
      (await store.listRuns(1)).find(r => r.status === 'running'),
    );
    // It dies: without its database it can neither record the end of its run nor release the
    // scheduler's claim, as after a crash.
    await dying.destroy();

    // A replica started once the claim has timed out, with the scheduler's janitor running as it
    // does outside tests (it frees timed-out claims every minute, and once at start).
    await sleep(
      Math.max(0, Date.parse(crashed.startedAt) + TIMEOUT_MS - Date.now()),
    );
    const environment = process.env.NODE_ENV;
    process.env.NODE_ENV = 'development';
    let second: Awaited<ReturnType<typeof replica>> | undefined;
    try {
      second = await replica(knex, catalogServiceMock({ entities }), schedule);
    } finally {
      process.env.NODE_ENV = environment;
    }
    try {
      const next = await waitFor('the next run', async () =>
        (
          await store.listRuns(5)
        ).find(r => r.id !== crashed.id && r.status === 'succeeded'),
      );
      expect(
        Date.parse(next.startedAt) - Date.parse(crashed.startedAt),
      ).toBeLessThan(TIMEOUT_MS + 60_000);

      const runs = await request(second.server)
        .get('/api/scorecards/runs')
        .set('Authorization', mockCredentials.user.header());
      expect(runs.status).toBe(200);
      expect(runs.body.items).toEqual([
        expect.objectContaining({ id: next.id, status: 'succeeded' }),
        expect.objectContaining({
          id: crashed.id,
          status: 'abandoned',
          error: expect.stringContaining('did not finish within its timeout'),
        }),
      ]);
    } finally {
      await second.stop();
      await first.stop().catch(() => {});
    }
  });
});
