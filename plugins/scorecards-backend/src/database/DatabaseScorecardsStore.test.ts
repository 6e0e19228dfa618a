import { mockServices, TestDatabaseId } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import type {
  CheckResult,
  CheckStatus,
  ScorecardResult,
} from '@guardrails/plugin-scorecards-common';
import { Knex } from 'knex';
import { DatabaseScorecardsStore } from './DatabaseScorecardsStore';
import { scoreKey } from './scoreOrder';
import { EntityEvaluationRecord } from './ScorecardsStore';
import { createTestDatabases } from './__testUtils__/testDatabases';

jest.setTimeout(60_000);

const databases = createTestDatabases(['SQLITE_3', 'POSTGRES_15', 'MYSQL_8']);

const migrationsDir = resolvePackagePath(
  '@guardrails/plugin-scorecards-backend',
  'migrations',
);

const TABLES = [
  'scorecards_entities',
  'scorecards_check_results',
  'scorecards_scores',
  'scorecards_history',
  'scorecards_facts',
  'scorecards_waivers',
  'scorecards_runs',
  'scorecards_state',
];

const SCORECARD = 'production-readiness';
/** Checks of the production-readiness scorecard, by the level that requires them. */
const LEVELS: { name: string; checks: string[] }[] = [
  { name: 'Bronze', checks: ['has-owner', 'on-call'] },
  { name: 'Silver', checks: ['slo-defined', 'runbook'] },
  { name: 'Gold', checks: ['dashboard'] },
];
const CHECK_IDS = LEVELS.flatMap(level => level.checks);

const T0 = new Date('2026-03-02T09:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;
const day = (n: number) => new Date(T0.getTime() + n * DAY);

function zeroCounts(): Record<CheckStatus, number> {
  return {
    pass: 0,
    fail: 0,
    warn: 0,
    waived: 0,
    'not-applicable': 0,
    error: 0,
  };
}

/**
 * An evaluation as the engine would produce it: every check passes unless told otherwise, and
 * the level and score follow from the statuses.
 */
function evaluated(
  entityRef: string,
  options: {
    statuses?: Record<string, CheckStatus>;
    ownerRef?: string;
    title?: string;
    systemRef?: string;
    kind?: string;
    type?: string;
    explanations?: Record<string, string>;
    extraScorecard?: ScorecardResult;
  } = {},
): EntityEvaluationRecord {
  const checks: CheckResult[] = CHECK_IDS.map(checkId => {
    const status = options.statuses?.[checkId] ?? 'pass';
    return {
      checkId,
      status,
      observed:
        checkId === 'slo-defined'
          ? { target: status === 'pass' ? 99.9 : null }
          : status === 'pass',
      expected: `${checkId} to be set`,
      explanation:
        options.explanations?.[checkId] ??
        `${checkId} ${status === 'pass' ? 'is' : 'is not'} in place.`,
      enforced: true,
    };
  });
  const passing = (id: string) =>
    checks.find(c => c.checkId === id)?.status === 'pass';
  let levelIndex = -1;
  while (
    levelIndex + 1 < LEVELS.length &&
    LEVELS[levelIndex + 1].checks.every(passing)
  ) {
    levelIndex++;
  }
  const counts = zeroCounts();
  for (const check of checks) {
    counts[check.status]++;
  }
  const next = LEVELS[levelIndex + 1];
  const scorecard: ScorecardResult = {
    scorecardId: SCORECARD,
    level: levelIndex >= 0 ? LEVELS[levelIndex].name : null,
    levelIndex,
    score: Math.round((100 * counts.pass) / checks.length),
    counts,
    ...(next && {
      nextLevel: {
        name: next.name,
        blockedBy: next.checks.filter(id => !passing(id)),
      },
    }),
  };
  return {
    info: {
      entityRef,
      kind: options.kind ?? 'Component',
      type: options.type ?? 'service',
      title: options.title,
      lifecycle: 'production',
      ownerRef: options.ownerRef ?? 'group:default/payments',
      systemRef: options.systemRef,
    },
    evaluation: {
      entityRef,
      checks,
      scorecards: options.extraScorecard
        ? [scorecard, options.extraScorecard]
        : [scorecard],
    },
    scorecardChecks: { [SCORECARD]: CHECK_IDS },
  };
}

async function countRows(knex: Knex, table: string): Promise<number> {
  const [{ n }] = await knex(table).count({ n: '*' });
  return Number(n);
}

type Statement = { sql: string; bindings?: unknown[] };

/** Records the statements knex sends, including those inside transactions. */
function watchStatements(knex: Knex) {
  const statements: Statement[] = [];
  const listener = (query: Statement) => statements.push(query);
  knex.on('query', listener);
  return {
    writes: () =>
      statements.filter(({ sql }) => /^\s*(insert|update|delete)\b/i.test(sql)),
    stop: () => knex.removeListener('query', listener),
  };
}

describe('DatabaseScorecardsStore on another database', () => {
  it.each(['mssql', 'oracledb'])(
    'refuses %s before migrating it, saying which databases are supported',
    async client => {
      const migrate = { latest: jest.fn() };
      const knex = {
        client: { config: { client } },
        migrate,
      } as unknown as Knex;

      await expect(
        DatabaseScorecardsStore.create({
          database: mockServices.database({ knex }),
        }),
      ).rejects.toThrow(
        `The scorecards plugin supports SQLite, PostgreSQL and MySQL (or MariaDB) databases, not the '${client}' client`,
      );
      expect(migrate.latest).not.toHaveBeenCalled();
    },
  );
});

describe.each(databases.eachSupportedId())(
  'DatabaseScorecardsStore (%s)',
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
      for (const table of TABLES) {
        await knex(table).delete();
      }
    });

    describe('migrations', () => {
      it('are skipped when the database service says so', async () => {
        const fresh = await databases.init(databaseId);
        await DatabaseScorecardsStore.create({
          database: mockServices.database({
            knex: fresh,
            migrations: { skip: true },
          }),
        });
        expect(await fresh.schema.hasTable('scorecards_entities')).toBe(false);
      });

      it('roll back completely and apply again', async () => {
        const fresh = await databases.init(databaseId);
        const freshStore = await DatabaseScorecardsStore.create({
          database: mockServices.database({ knex: fresh }),
        });
        for (const table of [...TABLES, 'scorecards_version']) {
          expect(await fresh.schema.hasTable(table)).toBe(true);
        }

        await fresh.migrate.rollback({ directory: migrationsDir }, true);
        for (const table of [...TABLES, 'scorecards_version']) {
          expect(await fresh.schema.hasTable(table)).toBe(false);
        }

        await fresh.migrate.latest({ directory: migrationsDir });
        await freshStore.writeEvaluations(
          [evaluated('component:default/checkout-api')],
          T0,
        );
        expect(await freshStore.listEntityRefs()).toEqual([
          'component:default/checkout-api',
        ]);
        expect(await freshStore.getVersion()).toBe(1);
      });

      it('give score rows written before the search text the text of their entity', async () => {
        const fresh = await databases.init(databaseId);
        const freshStore = await DatabaseScorecardsStore.create({
          database: mockServices.database({ knex: fresh }),
        });
        // Back to before the search text, through every migration since.
        while (await fresh.schema.hasColumn('scorecards_scores', 'search')) {
          await fresh.migrate.down({ directory: migrationsDir });
        }
        await fresh('scorecards_entities').insert({
          entity_ref: 'component:default/checkout-api',
          kind: 'Component',
          title: 'Checkout API',
          evaluation_hash: 'h',
          updated_at: T0,
        });
        await fresh('scorecards_scores').insert({
          entity_ref: 'component:default/checkout-api',
          scorecard_id: SCORECARD,
          level: 'Bronze',
          level_index: 0,
          score: 60,
          counts: '{}',
          failing: '[]',
          failing_count: 0,
          since: T0,
        });

        await fresh.migrate.up({ directory: migrationsDir });
        const found = async (search: string) =>
          (await freshStore.listScores({ search })).rows.map(r => r.entityRef);
        expect(await found('CHECKOUT api')).toEqual([
          'component:default/checkout-api',
        ]);

        // A new title replaces the text a search matches.
        await freshStore.writeEvaluations(
          [
            evaluated('component:default/checkout-api', {
              title: 'Payments Front',
            }),
          ],
          day(1),
        );
        expect(await found('checkout api')).toEqual([]);
        expect(await found('payments front')).toEqual([
          'component:default/checkout-api',
        ]);
        expect(await found('default/checkout-api')).toEqual([
          'component:default/checkout-api',
        ]);
      });
    });

    describe('writeEvaluations', () => {
      it('stores results that read back as written', async () => {
        const record = evaluated('component:default/checkout-api', {
          title: 'Checkout API',
          systemRef: 'system:default/checkout',
          statuses: { 'slo-defined': 'fail', dashboard: 'warn' },
        });
        record.evaluation.checks[0].waiver = {
          applied: false,
          problem: 'The waiver expired on 2026-02-01.',
        };
        record.info.domainRef = 'domain:default/commerce';
        // Text that array and JSON encodings must carry through unchanged.
        const runbook = record.evaluation.checks.find(
          c => c.checkId === 'runbook',
        )!;
        runbook.observed = 'NULL';
        runbook.explanation =
          'Found "NULL", {braces}, a \\ backslash,\na new line and 日本語.';

        const summary = await store.writeEvaluations([record], T0);

        // 5 checks, 1 scorecard, and one history event for each as they first appear.
        expect(summary).toEqual({ changed: 1, rowsWritten: 12 });
        const stored = await store.getEntityResults(
          'component:default/checkout-api',
        );
        expect(stored).toEqual({
          info: {
            entityRef: 'component:default/checkout-api',
            kind: 'Component',
            type: 'service',
            title: 'Checkout API',
            lifecycle: 'production',
            ownerRef: 'group:default/payments',
            systemRef: 'system:default/checkout',
            domainRef: 'domain:default/commerce',
          },
          updatedAt: T0.toISOString(),
          evaluatedAt: T0.toISOString(),
          checks: expect.any(Array),
          scorecards: [
            {
              scorecardId: SCORECARD,
              level: 'Bronze',
              levelIndex: 0,
              score: 60,
              counts: { ...zeroCounts(), pass: 3, fail: 1, warn: 1 },
              nextLevel: { name: 'Silver', blockedBy: ['slo-defined'] },
              since: T0.toISOString(),
            },
          ],
        });
        expect(stored!.checks.map(c => c.checkId)).toEqual(
          [...CHECK_IDS].sort(),
        );
        expect(stored!.checks.find(c => c.checkId === 'slo-defined')).toEqual({
          checkId: 'slo-defined',
          status: 'fail',
          observed: { target: null },
          expected: 'slo-defined to be set',
          explanation: 'slo-defined is not in place.',
          enforced: true,
          since: T0.toISOString(),
        });
        expect(stored!.checks.find(c => c.checkId === 'runbook')).toMatchObject(
          {
            observed: runbook.observed,
            explanation: runbook.explanation,
          },
        );
        expect(
          stored!.checks.find(c => c.checkId === 'has-owner')?.waiver,
        ).toEqual({
          applied: false,
          problem: 'The waiver expired on 2026-02-01.',
        });
        expect(
          await store.getEntityResults('component:default/unknown'),
        ).toBeUndefined();
      });

      it('writes over results another writer stored after it looked', async () => {
        await store.writeEvaluations(
          [evaluated('component:default/checkout-api')],
          T0,
        );
        // The entity's row gone, its results left: the store takes the entity for new and
        // inserts rows that exist.
        await knex('scorecards_entities').delete();

        const summary = await store.writeEvaluations(
          [
            evaluated('component:default/checkout-api', {
              statuses: { runbook: 'fail' },
            }),
          ],
          day(1),
        );

        expect(summary.changed).toBe(1);
        const stored = await store.getEntityResults(
          'component:default/checkout-api',
        );
        expect(stored!.checks.find(c => c.checkId === 'runbook')).toMatchObject(
          { status: 'fail', since: day(1).toISOString() },
        );
        expect(stored!.scorecards).toHaveLength(1);
      });

      it('writes batches larger than one statement can hold', async () => {
        const records = Array.from({ length: 650 }, (_, i) =>
          evaluated(`component:default/service-${String(i).padStart(3, '0')}`),
        );

        const summary = await store.writeEvaluations(records, T0);

        expect(summary.changed).toBe(650);
        expect(await countRows(knex, 'scorecards_check_results')).toBe(
          650 * CHECK_IDS.length,
        );
        expect(await countRows(knex, 'scorecards_scores')).toBe(650);
        const refs = await store.listEntityRefs();
        expect(refs).toHaveLength(650);
        expect(refs[0]).toBe('component:default/service-000');
      });

      it('writes nothing when nothing changed', async () => {
        const refs = [
          'component:default/checkout-api',
          'component:default/payments-gateway',
          'component:default/fraud-scoring',
        ];
        await store.writeEvaluations(
          refs.map(ref => evaluated(ref, { statuses: { runbook: 'fail' } })),
          T0,
        );
        const version = await store.getVersion();
        const historyRows = await countRows(knex, 'scorecards_history');

        // Fresh objects with keys in another order and checks reversed: equal in content.
        const again = refs.map(ref => {
          const record = evaluated(ref, { statuses: { runbook: 'fail' } });
          record.evaluation.checks.reverse();
          record.info = Object.fromEntries(
            Object.entries(record.info).reverse(),
          ) as typeof record.info;
          return record;
        });
        const statements = watchStatements(knex);
        let summary;
        try {
          summary = await store.writeEvaluations(again, day(1));
        } finally {
          statements.stop();
        }

        expect(summary).toEqual({ changed: 0, rowsWritten: 0 });
        expect(statements.writes()).toEqual([]);
        expect(await store.getVersion()).toBe(version);
        expect(await countRows(knex, 'scorecards_history')).toBe(historyRows);
        const stored = await store.getEntityResults(refs[0]);
        expect(stored?.updatedAt).toBe(T0.toISOString());
      });

      it('rewrites only the rows of what changed', async () => {
        await store.writeEvaluations(
          [
            evaluated('component:default/checkout-api'),
            evaluated('component:default/payments-gateway'),
          ],
          T0,
        );

        const statements = watchStatements(knex);
        let summary;
        try {
          summary = await store.writeEvaluations(
            [
              evaluated('component:default/checkout-api', {
                statuses: { dashboard: 'fail' },
              }),
              evaluated('component:default/payments-gateway'),
            ],
            day(1),
          );
        } finally {
          statements.stop();
        }

        // dashboard's result, the scorecard row, and one event for each.
        expect(summary).toEqual({ changed: 1, rowsWritten: 4 });
        const writes = statements.writes();
        expect(writes.length).toBeGreaterThan(0);
        expect(
          writes
            .flatMap(w => w.bindings ?? [])
            .filter(b => typeof b === 'string'),
        ).not.toContain('component:default/payments-gateway');
        const gateway = await store.getEntityResults(
          'component:default/payments-gateway',
        );
        expect(gateway?.updatedAt).toBe(T0.toISOString());
        const checkout = await store.getEntityResults(
          'component:default/checkout-api',
        );
        expect(checkout?.updatedAt).toBe(day(1).toISOString());
        expect(
          checkout?.checks.map(c => [c.checkId, c.status, c.since]),
        ).toEqual([
          ['dashboard', 'fail', day(1).toISOString()],
          ['has-owner', 'pass', T0.toISOString()],
          ['on-call', 'pass', T0.toISOString()],
          ['runbook', 'pass', T0.toISOString()],
          ['slo-defined', 'pass', T0.toISOString()],
        ]);
      });

      it('moves since and records history when a status changes', async () => {
        const ref = 'component:default/checkout-api';
        await store.writeEvaluations([evaluated(ref)], T0);
        await store.writeEvaluations(
          [evaluated(ref, { statuses: { 'on-call': 'fail' } })],
          day(1),
        );

        const stored = await store.getEntityResults(ref);
        expect(stored?.checks.find(c => c.checkId === 'on-call')).toMatchObject(
          { status: 'fail', since: day(1).toISOString() },
        );
        expect(stored?.scorecards[0]).toMatchObject({
          level: null,
          levelIndex: -1,
          score: 80,
          since: day(1).toISOString(),
        });

        const history = await store.getHistory(ref, {
          from: day(1),
          to: day(1),
        });
        expect(history).toEqual(
          expect.arrayContaining([
            {
              type: 'check',
              entityRef: ref,
              checkId: 'on-call',
              status: 'fail',
              previousStatus: 'pass',
              at: day(1).toISOString(),
            },
            {
              type: 'scorecard',
              entityRef: ref,
              scorecardId: SCORECARD,
              level: null,
              score: 80,
              previousLevel: 'Gold',
              previousScore: 100,
              failing: 1,
              at: day(1).toISOString(),
            },
          ]),
        );
        expect(history).toHaveLength(2);

        const all = await store.getHistory(ref, { from: T0, to: day(2) });
        expect(all).toHaveLength(8);
        expect(all[all.length - 1]).toMatchObject({ at: T0.toISOString() });
        expect(
          all.find(e => e.type === 'check' && e.checkId === 'has-owner'),
        ).toEqual({
          type: 'check',
          entityRef: ref,
          checkId: 'has-owner',
          status: 'pass',
          at: T0.toISOString(),
        });
      });

      it('keeps since and history when only an explanation changes', async () => {
        const ref = 'component:default/checkout-api';
        await store.writeEvaluations([evaluated(ref)], T0);

        const summary = await store.writeEvaluations(
          [
            evaluated(ref, {
              explanations: { runbook: 'The runbook link was reviewed.' },
            }),
          ],
          day(1),
        );

        expect(summary).toEqual({ changed: 1, rowsWritten: 1 });
        const runbook = (await store.getEntityResults(ref))?.checks.find(
          c => c.checkId === 'runbook',
        );
        expect(runbook).toMatchObject({
          explanation: 'The runbook link was reviewed.',
          since: T0.toISOString(),
        });
        expect(
          await store.getHistory(ref, { from: day(1), to: day(2) }),
        ).toEqual([]);
      });

      it('drops results of checks and scorecards that disappeared', async () => {
        const ref = 'component:default/checkout-api';
        const extra: ScorecardResult = {
          scorecardId: 'security-baseline',
          level: 'Basic',
          levelIndex: 0,
          score: 50,
          counts: { ...zeroCounts(), pass: 1, fail: 1 },
        };
        await store.writeEvaluations(
          [evaluated(ref, { extraScorecard: extra })],
          T0,
        );
        const next = evaluated(ref);
        next.evaluation.checks = next.evaluation.checks.filter(
          c => c.checkId !== 'dashboard',
        );

        const summary = await store.writeEvaluations([next], day(1));

        expect(summary).toEqual({ changed: 1, rowsWritten: 2 });
        const stored = await store.getEntityResults(ref);
        expect(stored?.checks.map(c => c.checkId)).not.toContain('dashboard');
        expect(stored?.scorecards.map(s => s.scorecardId)).toEqual([SCORECARD]);
      });

      it('keeps the waivers that excuse nothing, writing only when they change', async () => {
        const ref = 'component:default/checkout-api';
        const withProblems = (problem: string) => {
          const record = evaluated(ref);
          record.evaluation.waiverProblems = [
            {
              checkId: 'no-such-check',
              annotation: 'guardrails.dev/waive.no-such-check',
              problem,
            },
          ];
          return record;
        };
        await store.writeEvaluations([withProblems('unknown check')], T0);
        expect((await store.getEntityResults(ref))?.waiverProblems).toEqual([
          {
            checkId: 'no-such-check',
            annotation: 'guardrails.dev/waive.no-such-check',
            problem: 'unknown check',
          },
        ]);

        const watch = watchStatements(knex);
        try {
          expect(
            await store.writeEvaluations(
              [withProblems('unknown check')],
              day(1),
            ),
          ).toEqual({ changed: 0, rowsWritten: 0 });
          expect(watch.writes()).toEqual([]);
          expect(
            (await store.writeEvaluations([evaluated(ref)], day(2))).changed,
          ).toBe(1);
        } finally {
          watch.stop();
        }
        expect(
          (await store.getEntityResults(ref))?.waiverProblems,
        ).toBeUndefined();
      });

      it('lists the waiver outcomes of the latest results', async () => {
        const record = evaluated('component:default/checkout-api', {
          statuses: { 'on-call': 'waived' },
        });
        const onCall = record.evaluation.checks.find(
          c => c.checkId === 'on-call',
        )!;
        onCall.waiver = {
          applied: true,
          waiver: {
            entityRef: 'component:default/checkout-api',
            checkId: 'on-call',
            reason: 'Batch job',
            expiresAt: '2026-06-30T23:59:59.999Z',
            grantedBy: 'group:default/payments',
            source: 'annotation',
          },
        };
        await store.writeEvaluations(
          [record, evaluated('component:default/fraud-scoring')],
          T0,
        );
        const expected = {
          entityRef: 'component:default/checkout-api',
          checkId: 'on-call',
          outcome: onCall.waiver,
        };
        expect(await store.listResultWaivers({})).toEqual([expected]);
        expect(
          await store.listResultWaivers({
            entityRef: 'component:default/checkout-api',
          }),
        ).toEqual([expected]);
        expect(
          await store.listResultWaivers({
            entityRef: 'component:default/fraud-scoring',
          }),
        ).toEqual([]);
      });

      it('moves the version once per write that changed something', async () => {
        const start = await store.getVersion();
        await store.writeEvaluations(
          [
            evaluated('component:default/checkout-api'),
            evaluated('component:default/payments-gateway'),
          ],
          T0,
        );
        expect(await store.getVersion()).toBe(start + 1);

        await store.writeEvaluations(
          [evaluated('component:default/checkout-api')],
          day(1),
        );
        await store.writeEvaluations([], day(1));
        expect(await store.getVersion()).toBe(start + 1);

        // A new owner changes what rollups show, though no result changed.
        await store.writeEvaluations(
          [
            evaluated('component:default/checkout-api', {
              ownerRef: 'group:default/checkout-team',
            }),
          ],
          day(2),
        );
        expect(await store.getVersion()).toBe(start + 2);
        expect(
          (await store.getEntityResults('component:default/checkout-api'))?.info
            .ownerRef,
        ).toBe('group:default/checkout-team');
      });
    });

    describe('removeEntities', () => {
      it('removes results and records the removal', async () => {
        await store.writeEvaluations(
          [
            evaluated('component:default/checkout-api'),
            evaluated('component:default/legacy-billing'),
          ],
          T0,
        );
        const version = await store.getVersion();

        const removed = await store.removeEntities(
          ['component:default/legacy-billing', 'component:default/never-seen'],
          day(1),
        );

        expect(removed).toBe(1);
        expect(await store.listEntityRefs()).toEqual([
          'component:default/checkout-api',
        ]);
        expect(
          await store.getEntityResults('component:default/legacy-billing'),
        ).toBeUndefined();
        expect(
          await knex('scorecards_check_results').where({
            entity_ref: 'component:default/legacy-billing',
          }),
        ).toEqual([]);
        expect(
          await store.getHistory('component:default/legacy-billing', {
            from: day(1),
            to: day(1),
          }),
        ).toEqual([
          {
            type: 'removed',
            entityRef: 'component:default/legacy-billing',
            at: day(1).toISOString(),
          },
        ]);
        expect(await store.getVersion()).toBe(version + 1);

        expect(
          await store.removeEntities(['component:default/never-seen'], day(2)),
        ).toBe(0);
        expect(await store.getVersion()).toBe(version + 1);
      });
    });

    describe('listScores', () => {
      beforeEach(async () => {
        await store.writeEvaluations(
          [
            evaluated('component:default/checkout-api', {
              title: 'Checkout API',
              ownerRef: 'group:default/checkout-team',
              statuses: { dashboard: 'fail' },
            }),
            evaluated('component:default/checkout-web', {
              title: 'Checkout Web',
              type: 'website',
              ownerRef: 'group:default/checkout-team',
            }),
            evaluated('component:default/payments-gateway', {
              statuses: { 'on-call': 'fail', runbook: 'error' },
            }),
            evaluated('component:default/fraud-scoring', {
              statuses: { 'slo-defined': 'fail' },
              systemRef: 'system:default/risk',
            }),
            evaluated('resource:default/orders-db', {
              kind: 'Resource',
              type: 'database',
              ownerRef: 'group:default/platform',
              statuses: { 'on-call': 'fail', 'slo-defined': 'fail' },
            }),
            evaluated('component:default/ledger_v2', {
              title: '100% Ledger',
              statuses: { dashboard: 'warn' },
            }),
          ],
          T0,
        );
      });

      const refs = (result: { rows: { entityRef: string }[] }) =>
        result.rows.map(row => row.entityRef);

      it('joins scores with entity info', async () => {
        const { rows, total } = await store.listScores({
          scorecardId: SCORECARD,
          entityRefs: ['component:default/payments-gateway'],
        });
        expect(total).toBe(1);
        expect(rows).toEqual([
          {
            entityRef: 'component:default/payments-gateway',
            kind: 'Component',
            type: 'service',
            lifecycle: 'production',
            ownerRef: 'group:default/payments',
            scorecardId: SCORECARD,
            level: null,
            levelIndex: -1,
            score: 60,
            counts: { ...zeroCounts(), pass: 3, fail: 1, error: 1 },
            failing: ['on-call', 'runbook'],
            since: T0.toISOString(),
          },
        ]);
      });

      it('sorts with a stable tie-break and pages with a total', async () => {
        const sort = { field: 'score' as const, order: 'desc' as const };
        const all = await store.listScores({}, { sort });
        expect(all.total).toBe(6);
        expect(all.rows.map(r => [r.entityRef, r.score])).toEqual([
          ['component:default/checkout-web', 100],
          ['component:default/checkout-api', 80],
          ['component:default/fraud-scoring', 80],
          ['component:default/ledger_v2', 80],
          ['component:default/payments-gateway', 60],
          ['resource:default/orders-db', 60],
        ]);

        const after = scoreKey(all.rows[1], sort);
        const page = await store.listScores({}, { sort, after, limit: 3 });
        expect(page.total).toBe(6);
        expect(page.more).toBe(true);
        expect(refs(page)).toEqual(refs(all).slice(2, 5));

        const tail = await store.listScores(
          {},
          { sort, after: scoreKey(all.rows[3], sort), count: false },
        );
        expect(refs(tail)).toEqual(refs(all).slice(4));
        expect(tail.total).toBeUndefined();
        expect(tail.more).toBe(false);

        const before = await store.listScores(
          {},
          { sort, before: scoreKey(all.rows[4], sort), limit: 3 },
        );
        expect(refs(before)).toEqual(refs(all).slice(1, 4));
        expect(before.more).toBe(true);
        const start = await store.listScores(
          {},
          { sort, before: scoreKey(all.rows[2], sort), limit: 3 },
        );
        expect(refs(start)).toEqual(refs(all).slice(0, 2));
        expect(start.more).toBe(false);

        const byFailing = await store.listScores(
          { kind: 'Component' },
          { sort: { field: 'failing', order: 'desc' }, limit: 1 },
        );
        expect(refs(byFailing)).toEqual(['component:default/payments-gateway']);

        const byName = await store.listScores(
          {},
          { sort: { field: 'name', order: 'desc' }, limit: 2 },
        );
        expect(refs(byName)).toEqual([
          'resource:default/orders-db',
          'component:default/payments-gateway',
        ]);

        const byLevel = await store.listScores(
          {},
          { sort: { field: 'level', order: 'asc' } },
        );
        expect(byLevel.rows.map(r => r.level)).toEqual([
          null,
          null,
          'Bronze',
          'Silver',
          'Silver',
          'Gold',
        ]);
      });

      it.each([
        { field: 'score', order: 'desc' },
        { field: 'score', order: 'asc' },
        { field: 'level', order: 'desc' },
        { field: 'name', order: 'asc' },
        { field: 'name', order: 'desc' },
        { field: 'failing', order: 'desc' },
        { field: 'since', order: 'asc' },
      ] as const)(
        'pages by $field $order without repeating or skipping an entity while a run writes between pages',
        async sort => {
          const seen: string[] = [];
          let page = await store.listScores({}, { sort, limit: 2 });
          seen.push(...refs(page));
          // A run between pages: scores and levels move, an entity arrives, one leaves.
          await store.writeEvaluations(
            [
              evaluated('component:default/checkout-web', {
                type: 'website',
                ownerRef: 'group:default/checkout-team',
                statuses: { 'on-call': 'fail', runbook: 'fail' },
              }),
              evaluated('component:default/payments-gateway'),
              evaluated('component:default/new-arrival', {
                statuses: { dashboard: 'fail' },
              }),
            ],
            day(1),
          );
          const removed = 'component:default/fraud-scoring';
          await store.removeEntities([removed], day(1));
          while (page.more) {
            page = await store.listScores(
              {},
              {
                sort,
                after: scoreKey(page.rows[page.rows.length - 1], sort),
                limit: 2,
                count: false,
              },
            );
            seen.push(...refs(page));
          }
          // What the run left where it stood in the order is seen exactly once, in order; what
          // left after the first page is not seen. An entity the run moved is seen where it
          // stood when its page was read: by name, nothing moves, so nothing repeats.
          const untouched = [
            'component:default/checkout-api',
            'component:default/ledger_v2',
            'resource:default/orders-db',
            ...(sort.field === 'name'
              ? [
                  'component:default/checkout-web',
                  'component:default/payments-gateway',
                ]
              : []),
          ];
          for (const ref of untouched) {
            expect(seen.filter(r => r === ref)).toEqual([ref]);
          }
          expect(
            seen.filter(r => r === 'component:default/new-arrival').length,
          ).toBeLessThanOrEqual(1);
          const repeated = seen.filter((r, i) => seen.indexOf(r) !== i);
          expect(sort.field === 'name' ? repeated : []).toEqual([]);
          const firstPage = seen.slice(0, 2);
          expect(seen.filter(r => r === removed)).toEqual(
            firstPage.includes(removed) ? [removed] : [],
          );
          // The untouched keep their order relative to each other.
          const order = refs(await store.listScores({}, { sort }));
          expect(seen.filter(ref => untouched.includes(ref))).toEqual(
            order.filter(ref => untouched.includes(ref)),
          );
        },
      );

      it('filters by owner, kind, type, system, level and score', async () => {
        expect(
          refs(
            await store.listScores({
              ownerRefs: [
                'group:default/checkout-team',
                'group:default/platform',
              ],
            }),
          ),
        ).toEqual([
          'component:default/checkout-api',
          'component:default/checkout-web',
          'resource:default/orders-db',
        ]);
        expect(refs(await store.listScores({ kind: 'Resource' }))).toEqual([
          'resource:default/orders-db',
        ]);
        expect(refs(await store.listScores({ type: 'website' }))).toEqual([
          'component:default/checkout-web',
        ]);
        expect(
          refs(await store.listScores({ systemRef: 'system:default/risk' })),
        ).toEqual(['component:default/fraud-scoring']);
        expect(refs(await store.listScores({ level: null }))).toEqual([
          'component:default/payments-gateway',
          'resource:default/orders-db',
        ]);
        expect(refs(await store.listScores({ level: 'Silver' }))).toEqual([
          'component:default/checkout-api',
          'component:default/ledger_v2',
        ]);
        expect(
          refs(await store.listScores({ minScore: 70, maxScore: 90 })),
        ).toEqual([
          'component:default/checkout-api',
          'component:default/fraud-scoring',
          'component:default/ledger_v2',
        ]);
        expect(
          (await store.listScores({ scorecardId: 'security-baseline' })).total,
        ).toBe(0);
      });

      it('filters by failing check, counting errors as failing', async () => {
        expect(
          refs(await store.listScores({ failingCheck: 'on-call' })),
        ).toEqual([
          'component:default/payments-gateway',
          'resource:default/orders-db',
        ]);
        expect(
          refs(await store.listScores({ failingCheck: 'runbook' })),
        ).toEqual(['component:default/payments-gateway']);
        // A warning is not a failure.
        expect(
          refs(await store.listScores({ failingCheck: 'dashboard' })),
        ).toEqual(['component:default/checkout-api']);
      });

      it('searches ref and title case-insensitively and literally', async () => {
        expect(refs(await store.listScores({ search: 'CHECKOUT w' }))).toEqual([
          'component:default/checkout-web',
        ]);
        expect(refs(await store.listScores({ search: 'Orders' }))).toEqual([
          'resource:default/orders-db',
        ]);
        // Wildcards in the search are plain characters.
        expect(refs(await store.listScores({ search: '%' }))).toEqual([
          'component:default/ledger_v2',
        ]);
        expect(refs(await store.listScores({ search: '_' }))).toEqual([
          'component:default/ledger_v2',
        ]);
      });

      (databaseId.startsWith('POSTGRES') ? describe : describe.skip)(
        'on PostgreSQL',
        () => {
          it('searches through a trigram index', async () => {
            // Too few rows for the planner to choose an index by itself: forbid the full scan.
            const plan = await knex.transaction(async tx => {
              await tx.raw('set local enable_seqscan = off');
              const query = tx('scorecards_scores as s')
                .count({ total: '*' })
                .whereRaw(`?? like ? escape '!'`, ['s.search', '%checkout%'])
                .toSQL();
              const result = await tx.raw(
                `explain ${query.sql}`,
                query.bindings,
              );
              return result.rows.map(
                (row: { 'QUERY PLAN': string }) => row['QUERY PLAN'],
              );
            });
            expect(plan.join('\n')).toContain(
              'scorecards_scores_search_trgm_idx',
            );
            expect(
              refs(await store.listScores({ search: 'checkout' })).sort(),
            ).toEqual([
              'component:default/checkout-api',
              'component:default/checkout-web',
            ]);
          });
        },
      );

      it('filters by entity lists of any length', async () => {
        const unknown = Array.from(
          { length: 1500 },
          (_, i) => `component:default/not-evaluated-${i}`,
        );
        const result = await store.listScores({
          entityRefs: [
            ...unknown,
            'component:default/fraud-scoring',
            'resource:default/orders-db',
          ],
        });
        expect(result.total).toBe(2);
        expect(refs(result)).toEqual([
          'component:default/fraud-scoring',
          'resource:default/orders-db',
        ]);
        expect(
          (
            await store.listScores({
              ownerRefs: [
                ...unknown.map(ref => ref.replace('component:', 'group:')),
                'group:default/platform',
              ],
            })
          ).total,
        ).toBe(1);
        expect((await store.listScores({ entityRefs: [] })).total).toBe(0);
      });
    });

    describe('countCheckStatuses', () => {
      it('counts statuses per check among the entities of a scorecard', async () => {
        const security: ScorecardResult = {
          scorecardId: 'security-baseline',
          level: null,
          levelIndex: -1,
          score: 0,
          counts: { ...zeroCounts(), fail: 1 },
        };
        await store.writeEvaluations(
          [
            evaluated('component:default/checkout-api', {
              statuses: { dashboard: 'fail' },
            }),
            evaluated('component:default/payments-gateway', {
              statuses: { 'on-call': 'fail', runbook: 'error' },
            }),
            evaluated('component:default/checkout-web', {
              extraScorecard: security,
            }),
          ],
          T0,
        );
        const checkIds = ['on-call', 'runbook', 'dashboard'];

        expect(
          await store.countCheckStatuses({ scorecardId: SCORECARD, checkIds }),
        ).toEqual([
          { checkId: 'dashboard', status: 'fail', count: 1 },
          { checkId: 'dashboard', status: 'pass', count: 2 },
          { checkId: 'on-call', status: 'fail', count: 1 },
          { checkId: 'on-call', status: 'pass', count: 2 },
          { checkId: 'runbook', status: 'error', count: 1 },
          { checkId: 'runbook', status: 'pass', count: 2 },
        ]);
        expect(
          await store.countCheckStatuses({
            scorecardId: SCORECARD,
            checkIds: ['dashboard'],
            entityRefs: [
              ...Array.from(
                { length: 300 },
                (_, i) => `component:default/other-${i}`,
              ),
              'component:default/checkout-api',
              'component:default/checkout-web',
            ],
          }),
        ).toEqual([
          { checkId: 'dashboard', status: 'fail', count: 1 },
          { checkId: 'dashboard', status: 'pass', count: 1 },
        ]);
        expect(
          await store.countCheckStatuses({
            scorecardId: 'security-baseline',
            checkIds,
          }),
        ).toEqual([
          { checkId: 'dashboard', status: 'pass', count: 1 },
          { checkId: 'on-call', status: 'pass', count: 1 },
          { checkId: 'runbook', status: 'pass', count: 1 },
        ]);
        expect(
          await store.countCheckStatuses({
            scorecardId: SCORECARD,
            checkIds,
            entityRefs: [],
          }),
        ).toEqual([]);
      });
    });

    describe('countCheckStatusesBy', () => {
      it('counts statuses per check for each owner and each System', async () => {
        await store.writeEvaluations(
          [
            evaluated('component:default/checkout-api', {
              ownerRef: 'group:default/team-checkout',
              systemRef: 'system:default/checkout',
              statuses: { dashboard: 'fail' },
            }),
            evaluated('component:default/checkout-web', {
              ownerRef: 'group:default/team-checkout',
              systemRef: 'system:default/storefront',
            }),
            evaluated('component:default/payments-gateway', {
              ownerRef: 'group:default/team-payments',
              systemRef: 'system:default/checkout',
              statuses: { dashboard: 'error' },
            }),
            evaluated('component:default/search-api'),
          ],
          T0,
        );
        const sorted = <T extends { key: string | null; status: string }>(
          rows: T[],
        ) =>
          [...rows].sort(
            (a, b) =>
              String(a.key).localeCompare(String(b.key)) ||
              a.status.localeCompare(b.status),
          );
        expect(
          sorted(
            await store.countCheckStatusesBy({
              by: 'owner',
              scorecardId: SCORECARD,
              checkIds: ['dashboard'],
            }),
          ),
        ).toEqual([
          {
            key: 'group:default/payments',
            checkId: 'dashboard',
            status: 'pass',
            count: 1,
          },
          {
            key: 'group:default/team-checkout',
            checkId: 'dashboard',
            status: 'fail',
            count: 1,
          },
          {
            key: 'group:default/team-checkout',
            checkId: 'dashboard',
            status: 'pass',
            count: 1,
          },
          {
            key: 'group:default/team-payments',
            checkId: 'dashboard',
            status: 'error',
            count: 1,
          },
        ]);
        expect(
          sorted(
            await store.countCheckStatusesBy({
              by: 'system',
              scorecardId: SCORECARD,
              checkIds: ['dashboard'],
              entityRefs: [
                'component:default/checkout-api',
                'component:default/payments-gateway',
              ],
            }),
          ),
        ).toEqual([
          {
            key: 'system:default/checkout',
            checkId: 'dashboard',
            status: 'error',
            count: 1,
          },
          {
            key: 'system:default/checkout',
            checkId: 'dashboard',
            status: 'fail',
            count: 1,
          },
        ]);
      });
    });

    describe('getScoreHistory', () => {
      it('returns the standing at the start and the changes in the window', async () => {
        const api = 'component:default/checkout-api';
        const billing = 'component:default/legacy-billing';
        const web = 'component:default/checkout-web';
        await store.writeEvaluations(
          [
            evaluated(api, {
              statuses: { 'slo-defined': 'fail', dashboard: 'fail' },
            }),
            evaluated(billing),
          ],
          T0,
        );
        await store.writeEvaluations(
          [evaluated(api, { statuses: { dashboard: 'fail' } })],
          day(2),
        );
        await store.removeEntities([billing], day(3));
        await store.writeEvaluations([evaluated(web)], day(4));
        await store.writeEvaluations([evaluated(api)], day(6));

        const events = await store.getScoreHistory({
          scorecardId: SCORECARD,
          from: day(1),
          to: day(5),
        });

        expect(events).toEqual([
          {
            type: 'scorecard',
            entityRef: api,
            scorecardId: SCORECARD,
            level: 'Bronze',
            score: 60,
            failing: 2,
            at: T0.toISOString(),
          },
          {
            type: 'scorecard',
            entityRef: billing,
            scorecardId: SCORECARD,
            level: 'Gold',
            score: 100,
            failing: 0,
            at: T0.toISOString(),
          },
          {
            type: 'scorecard',
            entityRef: api,
            scorecardId: SCORECARD,
            level: 'Silver',
            score: 80,
            previousLevel: 'Bronze',
            previousScore: 60,
            failing: 1,
            at: day(2).toISOString(),
          },
          { type: 'removed', entityRef: billing, at: day(3).toISOString() },
          {
            type: 'scorecard',
            entityRef: web,
            scorecardId: SCORECARD,
            level: 'Gold',
            score: 100,
            failing: 0,
            at: day(4).toISOString(),
          },
        ]);

        const onlyApi = await store.getScoreHistory({
          scorecardId: SCORECARD,
          entityRefs: [api],
          from: day(2),
          to: day(10),
        });
        expect(onlyApi.map(e => [e.at, 'level' in e ? e.level : null])).toEqual(
          [
            [day(2).toISOString(), 'Silver'],
            [day(6).toISOString(), 'Gold'],
          ],
        );

        // Long entity lists work too; a removed entity before the window stays out.
        const many = await store.getScoreHistory({
          scorecardId: SCORECARD,
          entityRefs: [
            ...Array.from(
              { length: 500 },
              (_, i) => `component:default/x-${i}`,
            ),
            billing,
            web,
          ],
          from: day(5),
          to: day(10),
        });
        expect(many.map(e => [e.entityRef, e.type])).toEqual([
          [web, 'scorecard'],
        ]);
        expect(
          await store.getScoreHistory({
            scorecardId: 'security-baseline',
            from: T0,
            to: day(10),
          }),
        ).toEqual([]);
      });
    });

    describe('getCheckHistory', () => {
      it('returns each check status at the start and the changes in the window', async () => {
        const api = 'component:default/checkout-api';
        const billing = 'component:default/legacy-billing';
        await store.writeEvaluations(
          [
            evaluated(api, { statuses: { 'slo-defined': 'fail' } }),
            evaluated(billing, { statuses: { dashboard: 'fail' } }),
          ],
          T0,
        );
        await store.writeEvaluations(
          [evaluated(api, { statuses: { dashboard: 'fail' } })],
          day(2),
        );
        await store.removeEntities([billing], day(3));
        await store.writeEvaluations([evaluated(api)], day(6));

        const events = await store.getCheckHistory({
          checkIds: ['slo-defined', 'dashboard'],
          from: day(1),
          to: day(5),
        });
        expect(
          events.map(e => [
            e.entityRef,
            e.type === 'check' ? e.checkId : null,
            e.type === 'check' ? e.status : 'removed',
            e.at,
          ]),
        ).toEqual(
          expect.arrayContaining([
            [api, 'slo-defined', 'fail', T0.toISOString()],
            [api, 'dashboard', 'pass', T0.toISOString()],
            [billing, 'slo-defined', 'pass', T0.toISOString()],
            [billing, 'dashboard', 'fail', T0.toISOString()],
            [api, 'slo-defined', 'pass', day(2).toISOString()],
            [api, 'dashboard', 'fail', day(2).toISOString()],
            [billing, null, 'removed', day(3).toISOString()],
          ]),
        );
        expect(events).toHaveLength(7);
        const times = events.map(e => Date.parse(e.at));
        expect(times).toEqual([...times].sort((x, y) => x - y));
        const change = events.find(
          e =>
            e.type === 'check' &&
            e.at === day(2).toISOString() &&
            e.checkId === 'dashboard',
        );
        expect(change).toMatchObject({
          previousStatus: 'pass',
          status: 'fail',
        });

        expect(
          await store.getCheckHistory({
            entityRefs: [api],
            checkIds: ['dashboard'],
            from: day(2),
            to: day(10),
          }),
        ).toEqual([
          expect.objectContaining({ status: 'fail', at: day(2).toISOString() }),
          expect.objectContaining({ status: 'pass', at: day(6).toISOString() }),
        ]);
        expect(
          await store.getCheckHistory({ checkIds: [], from: T0, to: day(10) }),
        ).toEqual([]);
      });
    });

    describe('importHistory', () => {
      const api = 'component:default/checkout-api';
      const old = 'component:default/retired-api';
      const scoreEvent = (entityRef: string, score: number, at: Date) => ({
        type: 'scorecard' as const,
        entityRef,
        scorecardId: SCORECARD,
        level: score === 100 ? 'Gold' : null,
        score,
        at: at.toISOString(),
      });
      const checkEvent = (
        entityRef: string,
        status: CheckStatus,
        at: Date,
      ) => ({
        type: 'check' as const,
        entityRef,
        checkId: 'dashboard',
        status,
        at: at.toISOString(),
      });

      it('puts past events into the history only, replacing the same source on a re-import', async () => {
        await store.writeEvaluations([evaluated(api)], day(10));
        const latest = await store.getEntityResults(api);

        const summary = await store.importHistory(
          {
            source: 'old-tool',
            events: [
              scoreEvent(api, 40, day(1)),
              checkEvent(api, 'fail', day(1)),
              scoreEvent(api, 100, day(5)),
              checkEvent(api, 'pass', day(5)),
              // At or after the plugin's own first event, and in the future: left out.
              scoreEvent(api, 60, day(10)),
              scoreEvent(old, 70, day(30)),
              scoreEvent(old, 80, day(4)),
            ],
          },
          day(20),
        );
        expect(summary).toEqual({ imported: 5, skipped: 2, replaced: 0 });

        // The latest results, and what the next run finds changed, are as they were.
        expect(await store.getEntityResults(api)).toEqual(latest);
        expect(await store.writeEvaluations([evaluated(api)], day(11))).toEqual(
          { changed: 0, rowsWritten: 0 },
        );
        expect((await store.listScores({})).rows.map(r => r.entityRef)).toEqual(
          [api],
        );

        const history = await store.getHistory(api, {
          from: day(0),
          to: day(30),
        });
        expect(
          history
            .filter(e => e.type === 'scorecard')
            .map(e => [
              e.at,
              e.type === 'scorecard' && e.score,
              e.type === 'scorecard' && e.previousScore,
            ]),
        ).toEqual([
          [day(10).toISOString(), 100, undefined],
          [day(5).toISOString(), 100, 40],
          [day(1).toISOString(), 40, undefined],
        ]);
        expect(history).toContainEqual({
          type: 'check',
          entityRef: api,
          checkId: 'dashboard',
          status: 'pass',
          previousStatus: 'fail',
          at: day(5).toISOString(),
        });
        const scores = await store.getScoreHistory({
          scorecardId: SCORECARD,
          from: day(2),
          to: day(30),
        });
        expect(scores.map(e => [e.entityRef, e.at])).toEqual([
          [api, day(1).toISOString()],
          [old, day(4).toISOString()],
          [api, day(5).toISOString()],
          [api, day(10).toISOString()],
        ]);

        // Importing the source again replaces its events rather than adding to them.
        expect(
          await store.importHistory(
            { source: 'old-tool', events: [scoreEvent(api, 20, day(2))] },
            day(20),
          ),
        ).toEqual({ imported: 1, skipped: 0, replaced: 5 });
        const again = await store.getHistory(api, {
          from: day(0),
          to: day(30),
        });
        expect(again.map(e => e.at)).toEqual([
          ...CHECK_IDS.map(() => day(10).toISOString()),
          day(10).toISOString(),
          day(2).toISOString(),
        ]);
        expect(
          await store.getHistory(old, { from: day(0), to: day(30) }),
        ).toEqual([]);
        // Another source stands apart.
        await store.importHistory(
          { source: 'other-tool', events: [scoreEvent(old, 10, day(3))] },
          day(20),
        );
        await store.importHistory({ source: 'old-tool', events: [] }, day(20));
        expect(
          (await store.getHistory(old, { from: day(0), to: day(30) })).length,
        ).toBe(1);
        expect(
          await store.getHistory(api, { from: day(0), to: day(9) }),
        ).toEqual([]);
      });

      it('imports a source once when replicas import it at the same time', async () => {
        const history = {
          source: 'old-tool',
          events: [
            scoreEvent(api, 40, day(1)),
            checkEvent(api, 'fail', day(1)),
          ],
        };
        await Promise.all([
          store.importHistory(history, day(20)),
          store.importHistory(history, day(20)),
          store.importHistory(history, day(20)),
        ]);
        expect(
          await store.getHistory(api, { from: day(0), to: day(30) }),
        ).toHaveLength(2);
      });

      it('refuses an event that is not a history event, naming it', async () => {
        await expect(
          store.importHistory({
            source: 'old-tool',
            events: [
              scoreEvent(api, 40, day(1)),
              { ...checkEvent(api, 'pass', day(1)), status: 'green' as any },
            ],
          }),
        ).rejects.toThrow(/History event 1 has status 'green'/);
        await expect(
          store.importHistory({
            source: 'old-tool',
            events: [{ ...scoreEvent(api, 40, day(1)), at: 'yesterday' }],
          }),
        ).rejects.toThrow(/History event 0 has no valid ISO timestamp/);
        await expect(
          store.importHistory({ source: '', events: [] }),
        ).rejects.toThrow(/history source must be a non-empty id/);
        expect(
          await store.getHistory(api, { from: day(0), to: day(9) }),
        ).toEqual([]);
      });
    });

    describe('pruneHistory', () => {
      it('keeps the newest event before the cutoff of each subject', async () => {
        const ref = 'component:default/checkout-api';
        const onCall = (status: CheckStatus) =>
          evaluated(ref, { statuses: { 'on-call': status } });
        await store.writeEvaluations([onCall('pass')], T0);
        await store.writeEvaluations([onCall('fail')], day(1));
        await store.writeEvaluations([onCall('pass')], day(2));
        await store.writeEvaluations([onCall('fail')], day(10));
        await store.writeEvaluations(
          [evaluated('component:default/checkout-web')],
          T0,
        );

        const deleted = await store.pruneHistory(day(5));

        // on-call and the scorecard each lose their T0 and day 1 events.
        expect(deleted).toBe(4);
        const history = await store.getHistory(ref, { from: T0, to: day(10) });
        expect(
          history
            .filter(e => e.type === 'check' && e.checkId === 'on-call')
            .map(e => e.at),
        ).toEqual([day(10).toISOString(), day(2).toISOString()]);
        expect(
          history.filter(e => e.type === 'check' && e.checkId === 'runbook'),
        ).toHaveLength(1);
        expect(
          await store.getHistory('component:default/checkout-web', {
            from: T0,
            to: T0,
          }),
        ).toHaveLength(6);
        expect(await store.pruneHistory(day(5))).toBe(0);
      });
    });

    describe('facts', () => {
      it('inserts and replaces facts by entity and name', async () => {
        await store.upsertFacts([
          {
            entityRef: 'component:default/checkout-api',
            name: 'chaos',
            value: { lastExperiment: '2026-02-20', passed: true },
            observedAt: '2026-02-20T10:00:00.000Z',
            freshFor: 'P90D',
            source: 'chaos-platform',
          },
          {
            entityRef: 'component:default/checkout-api',
            name: 'mttr',
            value: 42,
            observedAt: '2026-03-01T00:00:00.000Z',
          },
          {
            entityRef: 'component:default/fraud-scoring',
            name: 'mttr',
            value: 120,
            observedAt: '2026-03-01T00:00:00.000Z',
          },
        ]);
        await store.upsertFacts([
          {
            entityRef: 'component:default/checkout-api',
            name: 'mttr',
            value: 35,
            observedAt: '2026-03-02T00:00:00.000Z',
            source: 'incident-tracker',
          },
          {
            entityRef: 'component:default/checkout-api',
            name: 'mttr',
            value: 30,
            observedAt: '2026-03-02T06:00:00.000Z',
            source: 'incident-tracker',
          },
        ]);

        const facts = await store.getFacts([
          'component:default/checkout-api',
          'component:default/payments-gateway',
        ]);

        expect([...facts.keys()]).toEqual(['component:default/checkout-api']);
        expect(facts.get('component:default/checkout-api')).toEqual([
          {
            entityRef: 'component:default/checkout-api',
            name: 'chaos',
            value: { lastExperiment: '2026-02-20', passed: true },
            observedAt: '2026-02-20T10:00:00.000Z',
            freshFor: 'P90D',
            source: 'chaos-platform',
          },
          {
            entityRef: 'component:default/checkout-api',
            name: 'mttr',
            value: 30,
            observedAt: '2026-03-02T06:00:00.000Z',
            source: 'incident-tracker',
          },
        ]);
        expect(await countRows(knex, 'scorecards_facts')).toBe(3);
      });

      it('pages one entity, names facts, lists who has some and deletes by name', async () => {
        const ref = 'component:default/checkout-api';
        await store.upsertFacts(
          ['e', 'a', 'd', 'b', 'c'].map(name => ({
            entityRef: ref,
            name,
            value: name,
            observedAt: T0.toISOString(),
          })),
        );
        await store.upsertFacts([
          {
            entityRef: 'component:default/fraud-scoring',
            name: 'a',
            value: 1,
            observedAt: T0.toISOString(),
          },
        ]);

        const page = await store.listFacts(ref, { offset: 2, limit: 2 });
        expect(page.total).toBe(5);
        expect(page.facts.map(f => f.name)).toEqual(['c', 'd']);
        expect(
          (
            await store.listFacts('component:default/nope', {
              offset: 0,
              limit: 9,
            })
          ).total,
        ).toBe(0);

        const names = await store.getFactNames([ref, 'component:default/nope']);
        expect([...names.keys()]).toEqual([ref]);
        expect([...names.get(ref)!].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
        expect(await store.listFactEntityRefs()).toEqual([
          ref,
          'component:default/fraud-scoring',
        ]);

        expect(
          await store.deleteFacts([
            { entityRef: ref, name: 'a' },
            { entityRef: ref, name: 'z' },
            { entityRef: 'component:default/fraud-scoring', name: 'a' },
          ]),
        ).toBe(2);
        expect(await store.listFactEntityRefs()).toEqual([ref]);
        expect(
          (await store.listFacts(ref, { offset: 0, limit: 9 })).total,
        ).toBe(4);
      });
    });

    describe('waivers', () => {
      it('creates, lists, revokes and expires waivers', async () => {
        const onCall = await store.createWaiver(
          {
            entityRef: 'component:default/checkout-api',
            checkId: 'on-call',
            reason: 'On-call rotation starts with the new team in April.',
            expiresAt: day(30).toISOString(),
            grantedBy: 'user:default/jane.doe',
          },
          T0,
        );
        const slo = await store.createWaiver(
          {
            entityRef: 'component:default/checkout-api',
            checkId: 'slo-defined',
            reason: 'SLO under review.',
            expiresAt: day(5).toISOString(),
            grantedBy: 'user:default/jane.doe',
          },
          day(1),
        );
        await store.createWaiver(
          {
            entityRef: 'component:default/fraud-scoring',
            checkId: 'runbook',
            reason: 'Runbook migration.',
            expiresAt: day(30).toISOString(),
            grantedBy: 'user:default/sam.lee',
          },
          day(2),
        );

        expect(onCall).toEqual({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          entityRef: 'component:default/checkout-api',
          checkId: 'on-call',
          reason: 'On-call rotation starts with the new team in April.',
          expiresAt: day(30).toISOString(),
          grantedBy: 'user:default/jane.doe',
          createdAt: T0.toISOString(),
          source: 'api',
        });
        expect(await store.getWaiver(onCall.id)).toEqual(onCall);
        expect(
          (
            await store.listWaivers({
              entityRef: 'component:default/checkout-api',
            })
          ).map(w => w.id),
        ).toEqual([slo.id, onCall.id]);

        // The SLO waiver expires on day 5.
        expect(
          (await store.listWaivers({ activeAt: day(6) })).map(w => w.checkId),
        ).toEqual(['runbook', 'on-call']);
        expect(await store.revokeWaiver(slo.id, 'user:default/x', day(6))).toBe(
          false,
        );

        expect(
          await store.revokeWaiver(onCall.id, 'user:default/sam.lee', day(3)),
        ).toBe(true);
        expect(
          await store.revokeWaiver(onCall.id, 'user:default/sam.lee', day(4)),
        ).toBe(false);
        expect(await store.getWaiver(onCall.id)).toEqual({
          ...onCall,
          revokedAt: day(3).toISOString(),
          revokedBy: 'user:default/sam.lee',
        });

        const active = await store.getActiveWaivers(
          [
            'component:default/checkout-api',
            'component:default/fraud-scoring',
            'component:default/payments-gateway',
          ],
          day(4),
        );
        expect(
          [...active.entries()].map(([ref, waivers]) => [
            ref,
            waivers.map(w => w.checkId),
          ]),
        ).toEqual(
          expect.arrayContaining([
            ['component:default/checkout-api', ['slo-defined']],
            ['component:default/fraud-scoring', ['runbook']],
          ]),
        );
        expect(active.size).toBe(2);
        // Before the revocation it was still active.
        expect(
          (await store.listWaivers({ activeAt: day(2) })).map(w => w.checkId),
        ).toContain('on-call');
        expect(
          await store.getWaiver('00000000-0000-0000-0000-000000000000'),
        ).toBeUndefined();
      });
    });

    describe('runs', () => {
      it('dates an entity by its last change, the last successful run or its last on-demand evaluation', async () => {
        const ref = 'component:default/checkout-api';
        await store.writeEvaluations([evaluated(ref)], T0);
        const evaluatedAt = async () =>
          (await store.getEntityResults(ref))!.evaluatedAt;
        expect(await evaluatedAt()).toBe(T0.toISOString());

        // An unchanged re-run writes nothing for the entity, yet it was evaluated.
        const run = await store.startRun({
          trigger: 'schedule',
          definitionsFingerprint: 'sha256:4f2a',
          now: day(1),
        });
        await store.writeEvaluations([evaluated(ref)], day(1));
        expect(await evaluatedAt()).toBe(T0.toISOString());
        await store.finishRun(run.id, {
          status: 'succeeded',
          entities: 1,
          changed: 0,
          removed: 0,
          now: day(1),
        });
        expect(await evaluatedAt()).toBe(day(1).toISOString());

        // A failed run may not have reached the entity.
        const failed = await store.startRun({
          trigger: 'schedule',
          definitionsFingerprint: 'sha256:4f2a',
          now: day(2),
        });
        await store.finishRun(failed.id, {
          status: 'failed',
          entities: 0,
          changed: 0,
          removed: 0,
          now: day(2),
        });
        expect(await evaluatedAt()).toBe(day(1).toISOString());

        await store.markEvaluated(ref, day(3));
        const stored = await store.getEntityResults(ref);
        expect(stored).toMatchObject({
          evaluatedAt: day(3).toISOString(),
          updatedAt: T0.toISOString(),
        });
      });

      it('records runs from start to finish', async () => {
        const first = await store.startRun({
          trigger: 'schedule',
          definitionsFingerprint: 'sha256:4f2a',
          now: T0,
        });
        expect(first).toEqual({
          id: expect.any(String),
          trigger: 'schedule',
          status: 'running',
          startedAt: T0.toISOString(),
          entities: 0,
          changed: 0,
          removed: 0,
          definitionsFingerprint: 'sha256:4f2a',
        });

        const finished = await store.finishRun(first.id, {
          status: 'succeeded',
          entities: 10000,
          changed: 42,
          removed: 3,
          now: new Date(T0.getTime() + 12_345),
        });
        expect(finished).toEqual({
          ...first,
          status: 'succeeded',
          finishedAt: new Date(T0.getTime() + 12_345).toISOString(),
          durationMs: 12_345,
          entities: 10000,
          changed: 42,
          removed: 3,
        });

        const second = await store.startRun({
          trigger: 'manual',
          definitionsFingerprint: 'sha256:4f2a',
          now: day(1),
        });
        await store.finishRun(second.id, {
          status: 'failed',
          entities: 0,
          changed: 0,
          removed: 0,
          error: 'Catalog unavailable: 503 Service Unavailable',
          now: day(1),
        });

        const runs = await store.listRuns(10);
        expect(runs.map(r => [r.id, r.status])).toEqual([
          [second.id, 'failed'],
          [first.id, 'succeeded'],
        ]);
        expect(runs[0].error).toBe(
          'Catalog unavailable: 503 Service Unavailable',
        );
        expect(runs[1]).toEqual(finished);
        expect(await store.listRuns(1)).toHaveLength(1);
        await expect(
          store.finishRun('missing', { ...finished, now: day(2) }),
        ).rejects.toThrow(NotFoundError);
      });
    });

    describe('org snapshot and definitions fingerprint', () => {
      const org = {
        groups: [
          { ref: 'group:default/commerce', title: 'Commerce' },
          {
            ref: 'group:default/payments',
            title: 'Payments',
            type: 'team',
            parentRef: 'group:default/commerce',
          },
        ],
        systems: [{ ref: 'system:default/checkout', title: 'Checkout' }],
        domains: [],
      };

      it('read back what was written, each apart from the other', async () => {
        expect(await store.getOrgSnapshot()).toBeUndefined();
        expect(await store.getDefinitionsFingerprint()).toBeUndefined();

        await store.saveOrgSnapshot(org);
        await store.saveDefinitionsFingerprint('sha256:4f2a');
        await store.saveDefinitionsFingerprint('sha256:77c1');

        expect(await store.getOrgSnapshot()).toEqual(org);
        expect(await store.getDefinitionsFingerprint()).toBe('sha256:77c1');
      });

      it('are written only when they change', async () => {
        await store.saveOrgSnapshot(org);
        await store.saveDefinitionsFingerprint('sha256:4f2a');

        const statements = watchStatements(knex);
        try {
          await store.saveOrgSnapshot(structuredClone(org));
          await store.saveDefinitionsFingerprint('sha256:4f2a');
          expect(statements.writes()).toEqual([]);

          const version = await store.getVersion();
          await store.saveOrgSnapshot({ ...org, domains: org.systems });
          // The organisation, and the version that says it moved.
          expect(statements.writes()).toHaveLength(2);
          expect(await store.getVersion()).toBe(version + 1);
        } finally {
          statements.stop();
        }
        expect((await store.getOrgSnapshot())?.domains).toEqual(org.systems);
      });
    });
  },
);
