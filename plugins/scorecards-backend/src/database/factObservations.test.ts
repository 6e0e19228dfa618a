import { mockServices, TestDatabaseId } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { DatabaseScorecardsStore } from './DatabaseScorecardsStore';
import { createTestDatabases } from './__testUtils__/testDatabases';

jest.setTimeout(60_000);

const databases = createTestDatabases(['SQLITE_3', 'POSTGRES_15', 'MYSQL_8']);

const migrationsDir = resolvePackagePath(
  '@guardrails/plugin-scorecards-backend',
  'migrations',
);

const T0 = new Date('2026-03-02T09:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;
const day = (n: number) => new Date(T0.getTime() + n * DAY);
const iso = (n: number) => day(n).toISOString();

const CHECKOUT = 'component:default/checkout-api';
const BILLING = 'component:default/billing';
const SEARCH = 'component:default/search';

describe.each(databases.eachSupportedId())(
  'fact observations (%s)',
  (databaseId: TestDatabaseId) => {
    let knex: Knex;
    let store: DatabaseScorecardsStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      store = await DatabaseScorecardsStore.create({
        database: mockServices.database({ knex }),
      });
    });

    beforeEach(async () => {
      await knex('scorecards_facts').delete();
      await knex('scorecards_fact_observations').delete();
    });

    it('keeps an observation once, by entity, name and time', async () => {
      const observations = [
        {
          entityRef: CHECKOUT,
          name: 'leadTime',
          value: 30,
          observedAt: iso(0),
        },
        {
          entityRef: CHECKOUT,
          name: 'leadTime',
          value: 30,
          observedAt: iso(0),
        },
        {
          entityRef: CHECKOUT,
          name: 'leadTime',
          value: 25,
          observedAt: iso(3),
        },
      ];
      await store.appendFactObservations(observations);
      // A history source imported again at the next start, and a fact pushed again as it was.
      await store.appendFactObservations(observations);
      await store.upsertFacts([observations[2]]);

      const [{ n }] = await knex('scorecards_fact_observations').count({
        n: '*',
      });
      expect(Number(n)).toBe(2);
      expect(
        await store.getFactObservationsAt({ name: 'leadTime', at: day(1) }),
      ).toEqual([expect.objectContaining({ value: 30, observedAt: iso(0) })]);
    });

    it('keeps every fact stored, and answers the latest at or before a time', async () => {
      await store.upsertFacts([
        {
          entityRef: CHECKOUT,
          name: 'leadTime',
          value: 30,
          observedAt: iso(0),
        },
        { entityRef: BILLING, name: 'leadTime', value: 50, observedAt: iso(1) },
        {
          entityRef: CHECKOUT,
          name: 'coverage',
          value: 0.8,
          observedAt: iso(1),
        },
      ]);
      await store.upsertFacts([
        {
          entityRef: CHECKOUT,
          name: 'leadTime',
          value: 20,
          observedAt: iso(5),
        },
        {
          entityRef: SEARCH,
          name: 'leadTime',
          value: { p50: 3 },
          observedAt: iso(6),
        },
      ]);

      // The facts themselves hold only the latest value.
      const facts = await store.getFacts([CHECKOUT]);
      expect(facts.get(CHECKOUT)?.find(f => f.name === 'leadTime')?.value).toBe(
        20,
      );

      expect(
        await store.getFactObservationsAt({ name: 'leadTime', at: day(3) }),
      ).toEqual([
        { entityRef: BILLING, name: 'leadTime', value: 50, observedAt: iso(1) },
        {
          entityRef: CHECKOUT,
          name: 'leadTime',
          value: 30,
          observedAt: iso(0),
        },
      ]);
      // At the very time of an observation, it counts.
      expect(
        await store.getFactObservationsAt({ name: 'leadTime', at: day(5) }),
      ).toEqual([
        { entityRef: BILLING, name: 'leadTime', value: 50, observedAt: iso(1) },
        {
          entityRef: CHECKOUT,
          name: 'leadTime',
          value: 20,
          observedAt: iso(5),
        },
      ]);
      expect(
        await store.getFactObservationsAt({
          name: 'leadTime',
          entityRefs: [CHECKOUT, SEARCH],
          at: day(10),
        }),
      ).toEqual([
        {
          entityRef: CHECKOUT,
          name: 'leadTime',
          value: 20,
          observedAt: iso(5),
        },
        {
          entityRef: SEARCH,
          name: 'leadTime',
          value: { p50: 3 },
          observedAt: iso(6),
        },
      ]);
      expect(
        await store.getFactObservationsAt({ name: 'leadTime', at: day(-1) }),
      ).toEqual([]);
      expect(
        await store.getFactObservationsAt({
          name: 'leadTime',
          entityRefs: [],
          at: day(10),
        }),
      ).toEqual([]);
    });

    it('takes observations written out of order and many entities at once', async () => {
      // As an import of history would write them: newest first, without touching the facts.
      await store.appendFactObservations([
        { entityRef: CHECKOUT, name: 'leadTime', value: 9, observedAt: iso(9) },
        { entityRef: CHECKOUT, name: 'leadTime', value: 2, observedAt: iso(2) },
        { entityRef: CHECKOUT, name: 'leadTime', value: 4, observedAt: iso(4) },
      ]);
      expect(await store.getFacts([CHECKOUT])).toEqual(new Map());
      expect(
        await store.getFactObservationsAt({ name: 'leadTime', at: day(5) }),
      ).toEqual([
        { entityRef: CHECKOUT, name: 'leadTime', value: 4, observedAt: iso(4) },
      ]);

      // Past the length a list goes inline in the query.
      const refs = Array.from(
        { length: 450 },
        (_, i) => `component:default/service-${String(i).padStart(3, '0')}`,
      );
      await store.appendFactObservations(
        refs.map((entityRef, i) => ({
          entityRef,
          name: 'leadTime',
          value: i,
          observedAt: iso(1),
        })),
      );
      const answer = await store.getFactObservationsAt({
        name: 'leadTime',
        entityRefs: refs.slice(0, 300),
        at: day(3),
      });
      expect(answer).toHaveLength(300);
      expect(answer[299]).toEqual({
        entityRef: refs[299],
        name: 'leadTime',
        value: 299,
        observedAt: iso(1),
      });
    });

    it('are pruned with the history, keeping the newest before the cutoff', async () => {
      await store.appendFactObservations([
        { entityRef: CHECKOUT, name: 'leadTime', value: 1, observedAt: iso(0) },
        { entityRef: CHECKOUT, name: 'leadTime', value: 2, observedAt: iso(2) },
        { entityRef: CHECKOUT, name: 'leadTime', value: 3, observedAt: iso(4) },
        { entityRef: CHECKOUT, name: 'leadTime', value: 4, observedAt: iso(8) },
        { entityRef: BILLING, name: 'leadTime', value: 5, observedAt: iso(1) },
      ]);
      expect(await store.pruneHistory(day(5))).toBe(2);
      // The value at the cutoff can still be told; later ones are kept.
      expect(
        await store.getFactObservationsAt({ name: 'leadTime', at: day(5) }),
      ).toEqual([
        { entityRef: BILLING, name: 'leadTime', value: 5, observedAt: iso(1) },
        { entityRef: CHECKOUT, name: 'leadTime', value: 3, observedAt: iso(4) },
      ]);
      expect(
        await store.getFactObservationsAt({ name: 'leadTime', at: day(9) }),
      ).toEqual([
        { entityRef: BILLING, name: 'leadTime', value: 5, observedAt: iso(1) },
        { entityRef: CHECKOUT, name: 'leadTime', value: 4, observedAt: iso(8) },
      ]);
      const [{ n }] = await knex('scorecards_fact_observations').count({
        n: '*',
      });
      expect(Number(n)).toBe(3);
    });

    it('has a migration that rolls back and applies again', async () => {
      const fresh = await databases.init(databaseId);
      await DatabaseScorecardsStore.create({
        database: mockServices.database({ knex: fresh }),
      });
      expect(await fresh.schema.hasTable('scorecards_fact_observations')).toBe(
        true,
      );
      await fresh.migrate.rollback({ directory: migrationsDir });
      expect(await fresh.schema.hasTable('scorecards_fact_observations')).toBe(
        false,
      );
      await fresh.migrate.latest({ directory: migrationsDir });
      expect(await fresh.schema.hasTable('scorecards_fact_observations')).toBe(
        true,
      );
    });
  },
);
