import { ConfigReader } from '@backstage/config';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { Knex } from 'knex';
import { DatabaseScorecardsStore } from '../database';
import { createTestDatabases } from '../database/__testUtils__/testDatabases';
import { readScorecardDefinitions } from '../definitions';
import { ScorecardEngine } from '../engine';
import { EvaluationRunner } from './EvaluationRunner';
import { component, EXEMPLARY, group } from './testEntities';

jest.setTimeout(60_000);

const databases = createTestDatabases(['SQLITE_3', 'POSTGRES_15', 'MYSQL_8']);

const catalogEntities: Entity[] = [
  group('commerce'),
  group('team-checkout', 'commerce'),
  group('team-search', 'commerce'),
  component('checkout-api', { owner: 'team-checkout', ...EXEMPLARY }),
  component('search-api', {
    owner: 'team-search',
    annotations: { 'guardrails.dev/runbook-reviewed': 'last spring' },
  }),
  component('cart-service', { owner: 'team-checkout' }),
  component('invoice-legacy', { owner: 'team-legacy-billing' }),
  component('ui-kit', { owner: 'team-search', type: 'library' }),
];

/**
 * The catalog, except that its evaluation read (the one with relations) serves one page, then
 * waits for `next` (which may throw, or never settle) before each further page.
 */
function afterFirstPage(next: () => Promise<void>): CatalogService {
  const healthy = catalogServiceMock({ entities: catalogEntities });
  return Object.assign(Object.create(healthy), {
    async *streamEntities(
      request: Parameters<CatalogService['streamEntities']>[0],
      options: Parameters<CatalogService['streamEntities']>[1],
    ) {
      let pages = 0;
      for await (const page of healthy.streamEntities(request, options)) {
        if (request?.fields?.includes('relations') && pages++ >= 1) {
          await next();
        }
        yield page;
      }
    },
  });
}

/** Counts the statements that change the plugin's tables (not the runs log). */
function countWrites(knex: Knex) {
  let writes = 0;
  knex.on('query', (query: { sql: string }) => {
    const sql = query.sql.toLowerCase();
    if (
      /^\s*(insert|update|delete)/.test(sql) &&
      sql.includes('scorecards_') &&
      !sql.includes('scorecards_runs')
    ) {
      writes += 1;
    }
  });
  return () => writes;
}

describe.each(databases.eachSupportedId())('EvaluationRunner on %p', id => {
  async function createStore() {
    const knex = await databases.init(id);
    const store = await DatabaseScorecardsStore.create({
      database: mockServices.database({ knex }),
    });
    return { knex, store };
  }

  function runnerFor(
    store: DatabaseScorecardsStore,
    catalog: CatalogService | Entity[],
    at = '2026-11-26T12:00:00Z',
  ) {
    return new EvaluationRunner({
      engine: new ScorecardEngine(
        readScorecardDefinitions(new ConfigReader({})),
      ),
      store,
      catalog: Array.isArray(catalog)
        ? catalogServiceMock({ entities: catalog })
        : catalog,
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      pageSize: 2,
      clock: () => new Date(at),
    });
  }

  it('evaluates every entity a scorecard applies to and stores its standing', async () => {
    const { store } = await createStore();

    const run = await runnerFor(store, catalogEntities).run();

    expect(run).toMatchObject({
      status: 'succeeded',
      entities: 5,
      changed: 5,
      removed: 0,
    });
    const checkout = await store.getEntityResults(
      'component:default/checkout-api',
    );
    expect(checkout?.scorecards[0]).toMatchObject({
      scorecardId: 'production-readiness',
      level: 'Gold',
      score: 100,
    });
    expect(checkout?.info).toMatchObject({
      ownerRef: 'group:default/team-checkout',
      ownerExists: true,
      kind: 'component',
    });

    const search = await store.getEntityResults('component:default/search-api');
    expect(
      search?.checks.find(c => c.checkId === 'runbook-reviewed'),
    ).toMatchObject({ status: 'error', observed: 'last spring' });

    const legacy = await store.getEntityResults(
      'component:default/invoice-legacy',
    );
    expect(legacy?.checks.find(c => c.checkId === 'owner-exists')?.status).toBe(
      'fail',
    );
    expect(legacy?.info).toMatchObject({
      ownerRef: 'group:default/team-legacy-billing',
      ownerExists: false,
    });

    const library = await store.getEntityResults('component:default/ui-kit');
    expect(library?.checks.find(c => c.checkId === 'on-call')?.status).toBe(
      'not-applicable',
    );
    // Groups have no scorecard, so they are not stored.
    expect(await store.listEntityRefs()).toHaveLength(5);
  });

  it('writes no result rows when nothing changed', async () => {
    const { knex, store } = await createStore();
    await runnerFor(store, catalogEntities).run();
    const writes = countWrites(knex);

    const run = await runnerFor(
      store,
      catalogEntities,
      '2026-11-26T12:30:00Z',
    ).run();

    expect(run).toMatchObject({ status: 'succeeded', entities: 5, changed: 0 });
    expect(writes()).toBe(0);
  });

  it('writes only the entity that changed, and records the change', async () => {
    const { knex, store } = await createStore();
    await runnerFor(store, catalogEntities).run();
    const paged = component('cart-service', {
      owner: 'team-checkout',
      annotations: { 'pagerduty.com/service-id': 'PCART01' },
    });
    const writes = countWrites(knex);

    const run = await runnerFor(
      store,
      catalogEntities.map(e =>
        e.metadata.name === 'cart-service' ? paged : e,
      ),
      '2026-11-26T13:00:00Z',
    ).run();

    expect(run).toMatchObject({ status: 'succeeded', changed: 1 });
    expect(writes()).toBeGreaterThan(0);
    const cart = await store.getEntityResults('component:default/cart-service');
    expect(cart?.checks.find(c => c.checkId === 'on-call')).toMatchObject({
      status: 'pass',
      since: '2026-11-26T13:00:00.000Z',
    });
    const history = await store.getHistory('component:default/cart-service', {
      from: new Date('2026-11-26T00:00:00Z'),
      to: new Date('2026-11-27T00:00:00Z'),
    });
    expect(history).toContainEqual(
      expect.objectContaining({
        type: 'check',
        checkId: 'on-call',
        status: 'pass',
        previousStatus: 'fail',
      }),
    );
  });

  it('removes the results of entities that left the catalog', async () => {
    const { store } = await createStore();
    await runnerFor(store, catalogEntities).run();

    const run = await runnerFor(
      store,
      catalogEntities.filter(e => e.metadata.name !== 'invoice-legacy'),
      '2026-11-26T13:00:00Z',
    ).run();

    expect(run).toMatchObject({ status: 'succeeded', removed: 1 });
    expect(
      await store.getEntityResults('component:default/invoice-legacy'),
    ).toBeUndefined();
    expect(await store.listEntityRefs()).toHaveLength(4);
  });

  it('keeps the last good results when the catalog fails mid-run', async () => {
    const { store } = await createStore();
    await runnerFor(store, catalogEntities).run();
    const before = await store.getEntityResults('component:default/ui-kit');

    const failing = afterFirstPage(async () => {
      throw new Error('catalog unavailable: connection reset');
    });

    const run = await runnerFor(store, failing, '2026-11-26T13:00:00Z').run();

    expect(run).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('catalog unavailable'),
      removed: 0,
    });
    expect(await store.listEntityRefs()).toHaveLength(5);
    expect(await store.getEntityResults('component:default/ui-kit')).toEqual(
      before,
    );
    const [latest, previous] = await store.listRuns(2);
    expect(latest.status).toBe('failed');
    expect(previous.status).toBe('succeeded');
  });

  it('stops at the page whose write fails, recording the run as failed', async () => {
    const { store } = await createStore();
    const write = store.writeEvaluations.bind(store);
    const written: string[][] = [];
    jest
      .spyOn(store, 'writeEvaluations')
      .mockImplementation(async (records, now) => {
        written.push(records.map(r => r.info.entityRef));
        if (written.length === 2) {
          throw new Error('deadlock detected');
        }
        return write(records, now);
      });

    const run = await runnerFor(store, catalogEntities).run();

    expect(run).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('deadlock detected'),
    });
    // The pages after the failed one were read and evaluated, but not written.
    expect(written).toHaveLength(2);
    expect((await store.listEntityRefs()).sort()).toEqual(
      [...written[0]].sort(),
    );
  });

  it('stops at once when aborted, even while the catalog hangs, keeping earlier results', async () => {
    const { store } = await createStore();
    await runnerFor(store, catalogEntities).run();
    const before = await store.listScores({});

    let hanging: () => void = () => {};
    const hangs = new Promise<void>(resolve => {
      hanging = resolve;
    });
    const stuck = afterFirstPage(() => {
      hanging();
      return new Promise(() => {});
    });
    const controller = new AbortController();
    const running = runnerFor(store, stuck, '2026-11-26T13:00:00Z').run(
      'schedule',
      { signal: controller.signal },
    );
    await hangs;
    controller.abort();

    expect(await running).toMatchObject({
      status: 'failed',
      error: expect.stringContaining(
        'The run was stopped before it finished: it ran longer than scorecards.schedule.timeout',
      ),
      removed: 0,
    });
    expect(await store.listScores({})).toEqual(before);
  });

  it('keeps facts of entities the catalog lacks until they are stale', async () => {
    const { store } = await createStore();
    const fact = (
      entityRef: string,
      name: string,
      observedAt: string,
      freshFor?: string,
    ) => ({
      entityRef,
      name,
      value: 1,
      observedAt,
      ...(freshFor && { freshFor }),
    });
    const pending = 'component:default/not-processed-yet';
    const known = 'component:default/cart-service';
    await store.upsertFacts([
      fact(pending, 'fresh', '2026-11-20T00:00:00Z', 'P30D'),
      fact(pending, 'stale', '2026-10-01T00:00:00Z', 'P30D'),
      fact(pending, 'recent', '2026-11-01T00:00:00Z'),
      fact(pending, 'old', '2026-10-01T00:00:00Z'),
      // The catalog has this entity: its stale facts stay, and say they are stale.
      fact(known, 'stale', '2026-01-01T00:00:00Z', 'P1D'),
    ]);

    const run = await runnerFor(store, catalogEntities).run();

    expect(run.status).toBe('succeeded');
    const names = await store.getFactNames([pending, known]);
    expect([...names.get(pending)!].sort()).toEqual(['fresh', 'recent']);
    expect(names.get(known)).toEqual(['stale']);
  });

  it('evaluates one entity on demand for a caller who can read it', async () => {
    const { store } = await createStore();
    const runner = runnerFor(store, catalogEntities);

    const result = await runner.evaluateEntity(
      'component:default/checkout-api',
      mockCredentials.user(),
    );

    expect(result!.scorecards[0]).toMatchObject({
      level: 'Gold',
      score: 100,
    });
    expect(result!.checks.find(c => c.checkId === 'owner-exists')?.status).toBe(
      'pass',
    );
    expect(await store.listEntityRefs()).toEqual([
      'component:default/checkout-api',
    ]);
    await expect(
      runner.evaluateEntity(
        'component:default/no-such-service',
        mockCredentials.user(),
      ),
    ).rejects.toThrow(/No entity component:default\/no-such-service/);
  });
});
