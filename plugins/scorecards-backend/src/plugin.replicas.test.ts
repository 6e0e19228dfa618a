import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { DatabaseScorecardsStore } from './database';
import { scorecardsPlugin } from './plugin';
import { component, EXEMPLARY, group } from './run/testEntities';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
const CADENCE_MS = 2000;

const entities = [
  group('commerce'),
  group('team-checkout', 'commerce'),
  component('checkout-api', { owner: 'team-checkout', ...EXEMPLARY }),
  component('cart-service', { owner: 'team-checkout' }),
];

describe.each(databases.eachSupportedId())('several replicas on %p', id => {
  it('run each cadence of the evaluation once between them', async () => {
    const knex = await databases.init(id);
    const reads = [0, 0];
    const replica = (index: number) =>
      startTestBackend({
        features: [
          scorecardsPlugin,
          schedulerServiceFactory,
          mockServices.database.factory({ knex }),
          createServiceFactory({
            service: catalogServiceRef,
            deps: {},
            factory: () => {
              const catalog = catalogServiceMock({ entities });
              const stream = catalog.streamEntities.bind(catalog);
              catalog.streamEntities = (request, options) => {
                if (request?.fields?.includes('relations')) reads[index]++;
                return stream(request, options);
              };
              return catalog;
            },
          }),
          mockServices.rootConfig.factory({
            data: {
              scorecards: {
                schedule: {
                  frequency: { milliseconds: CADENCE_MS },
                  timeout: { seconds: 30 },
                  initialDelay: { milliseconds: 0 },
                },
              },
            },
          }),
        ],
      });
    // One after the other, as a rolling deployment starts them.
    const backends = [await replica(1), await replica(0)];
    const store = await DatabaseScorecardsStore.create({
      database: mockServices.database({ knex }),
      skipMigrations: true,
    });

    const elapsed = 9000;
    await new Promise(resolve => setTimeout(resolve, elapsed));
    await Promise.all(backends.map(b => b.stop()));

    const runs = (await store.listRuns(100)).reverse();
    // Both replicas scheduled the task, so a duplicate would show as two runs per cadence.
    expect(runs.length).toBeGreaterThanOrEqual(2);
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
});
