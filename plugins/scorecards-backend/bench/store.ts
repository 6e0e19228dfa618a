/*
 * Measures the store at catalog scale on SQLite and PostgreSQL.
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs bench/store.ts
 *
 * Environment:
 *   BENCH_ENTITIES   entities to generate (default 10000)
 *   BENCH_PAGE_SIZE  entities per writeEvaluations call in the paged variant (default 500)
 *   BENCH_POSTGRES   admin connection string; a throwaway database is created and dropped
 *                    (default postgresql://postgres@127.0.0.1:5432/postgres; "off" to skip)
 */
import type {
  CheckResult,
  CheckStatus,
  ScorecardResult,
} from '@guardrails/plugin-scorecards-common';
import knexFactory, { Knex } from 'knex';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { DatabaseScorecardsStore } from '../src/database/DatabaseScorecardsStore';
import { scoreKey } from '../src/database/scoreOrder';
import type {
  EntityEvaluationRecord,
  ScoreFilter,
  ScorePageRequest,
} from '../src/database/ScorecardsStore';

const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 10_000);
const PAGE_SIZE = Number(process.env.BENCH_PAGE_SIZE ?? 500);
const POSTGRES =
  process.env.BENCH_POSTGRES ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const SCORECARD = 'production-readiness';
const LEVELS = [
  { name: 'Bronze', checks: ['has-owner', 'owner-exists', 'on-call', 'docs'] },
  {
    name: 'Silver',
    checks: ['slo-defined', 'alerts-routed', 'runbook', 'dashboard'],
  },
  {
    name: 'Gold',
    checks: [
      'runbook-reviewed',
      'postmortems',
      'security-scanning',
      'security-review',
      'security-contact',
      'progressive-delivery',
    ],
  },
];
const CHECK_IDS = LEVELS.flatMap(l => l.checks);
const TEAMS = Array.from({ length: 200 }, (_, i) => `group:default/team-${i}`);

/** Deterministic, so every database sees the same data. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function generate(seed: number, flip = 0): EntityEvaluationRecord[] {
  const next = random(seed);
  const flipNext = random(seed + 1);
  return Array.from({ length: ENTITIES }, (_, i) => {
    const entityRef = `component:default/service-${String(i).padStart(5, '0')}`;
    const checks: CheckResult[] = CHECK_IDS.map(checkId => {
      let status: CheckStatus = next() < 0.75 ? 'pass' : 'fail';
      if (flip && checkId === 'on-call' && flipNext() < flip) {
        status = status === 'pass' ? 'fail' : 'pass';
      }
      return {
        checkId,
        status,
        observed: status === 'pass' ? `https://example.com/${checkId}` : null,
        expected: `a value for ${checkId}`,
        explanation: `${checkId} is ${status === 'pass' ? '' : 'not '}set.`,
        enforced: true,
      };
    });
    const passing = new Set(
      checks.filter(c => c.status === 'pass').map(c => c.checkId),
    );
    let levelIndex = -1;
    while (
      levelIndex + 1 < LEVELS.length &&
      LEVELS[levelIndex + 1].checks.every(id => passing.has(id))
    ) {
      levelIndex++;
    }
    const counts = {
      pass: passing.size,
      fail: checks.length - passing.size,
      warn: 0,
      waived: 0,
      'not-applicable': 0,
      error: 0,
    };
    const scorecard: ScorecardResult = {
      scorecardId: SCORECARD,
      level: levelIndex >= 0 ? LEVELS[levelIndex].name : null,
      levelIndex,
      score: Math.round((100 * passing.size) / checks.length),
      counts,
    };
    return {
      info: {
        entityRef,
        kind: 'Component',
        type: i % 5 === 0 ? 'website' : 'service',
        title: `Service ${i}`,
        lifecycle: 'production',
        ownerRef: TEAMS[i % TEAMS.length],
        systemRef: `system:default/system-${i % 50}`,
        domainRef: `domain:default/domain-${i % 5}`,
      },
      evaluation: { entityRef, checks, scorecards: [scorecard] },
      scorecardChecks: { [SCORECARD]: CHECK_IDS },
    };
  });
}

async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return [result, Number(process.hrtime.bigint() - start) / 1e6];
}

async function median(fn: () => Promise<unknown>, runs = 15) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    times.push((await time(fn))[1]);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function countWrites(knex: Knex) {
  let writes = 0;
  const listener = (q: { sql: string }) => {
    if (/^\s*(insert|update|delete)\b/i.test(q.sql)) writes++;
  };
  knex.on('query', listener);
  return () => {
    knex.removeListener('query', listener);
    return writes;
  };
}

async function writeAll(
  store: DatabaseScorecardsStore,
  records: EntityEvaluationRecord[],
  now: Date,
  pageSize: number,
) {
  let changed = 0;
  let rows = 0;
  for (let i = 0; i < records.length; i += pageSize) {
    const summary = await store.writeEvaluations(
      records.slice(i, i + pageSize),
      now,
    );
    changed += summary.changed;
    rows += summary.rowsWritten;
  }
  return { changed, rows };
}

async function benchmark(name: string, knex: Knex) {
  const store = await DatabaseScorecardsStore.create({
    database: { getClient: async () => knex },
  });
  const lines: string[] = [];
  const report = (what: string, ms: number, extra = '') => {
    const line = `${name.padEnd(16)} ${what.padEnd(58)} ${ms
      .toFixed(1)
      .padStart(9)} ms ${extra}`;
    lines.push(line);
    console.log(line);
  };
  const t0 = new Date('2026-03-02T09:00:00Z');

  for (const pageSize of [ENTITIES, PAGE_SIZE]) {
    for (const table of [
      'scorecards_entities',
      'scorecards_check_results',
      'scorecards_scores',
      'scorecards_history',
    ]) {
      await knex(table).delete();
    }
    const label = pageSize === ENTITIES ? 'one call' : `pages of ${pageSize}`;

    const initial = generate(1);
    const [first, firstMs] = await time(() =>
      writeAll(store, initial, t0, pageSize),
    );
    report(
      `first write, ${ENTITIES} x ${CHECK_IDS.length} checks, ${label}`,
      firstMs,
      `(${first.rows} rows)`,
    );

    const again = generate(1);
    const stop = countWrites(knex);
    const [unchanged, unchangedMs] = await time(() =>
      writeAll(store, again, new Date(t0.getTime() + 3600_000), pageSize),
    );
    report(
      `unchanged re-write, ${label}`,
      unchangedMs,
      `(${unchanged.changed} changed, ${stop()} write statements)`,
    );

    const flipped = generate(1, 0.01);
    const [changed, changedMs] = await time(() =>
      writeAll(store, flipped, new Date(t0.getTime() + 7200_000), pageSize),
    );
    report(
      `re-write with ~1% changed, ${label}`,
      changedMs,
      `(${changed.changed} changed, ${changed.rows} rows)`,
    );
  }

  if (name === 'postgres') {
    // Autovacuum analyzes a freshly loaded table within a minute; do it now so the queries
    // below run with the plans a live installation gets.
    await knex.raw('analyze');
  }

  // A page after the first two, as a cursor reaches it: after the key of the 100th row.
  const sort = { field: 'score', order: 'asc' } as const;
  const boundary = (
    await store.listScores({}, { sort, limit: 100, count: false })
  ).rows[99];
  const page: ScorePageRequest = {
    sort,
    after: boundary ? scoreKey(boundary, sort) : undefined,
    limit: 50,
  };
  const queries: [string, ScoreFilter][] = [
    ['no filter', { scorecardId: SCORECARD }],
    ['owner (1 team)', { scorecardId: SCORECARD, ownerRefs: [TEAMS[7]] }],
    [
      'owners (40 teams)',
      { scorecardId: SCORECARD, ownerRefs: TEAMS.slice(0, 40) },
    ],
    ['failing check', { scorecardId: SCORECARD, failingCheck: 'on-call' }],
    ['search', { scorecardId: SCORECARD, search: 'service 12' }],
    [
      'entityRefs (2000 refs)',
      {
        scorecardId: SCORECARD,
        entityRefs: Array.from(
          { length: 2000 },
          (_, i) =>
            `component:default/service-${String(i * 5).padStart(5, '0')}`,
        ),
      },
    ],
    ['level + score range', { level: 'Silver', minScore: 60, maxScore: 90 }],
  ];
  for (const [label, filter] of queries) {
    const { total } = await store.listScores(filter, page);
    report(
      `listScores page of 50, ${label}`,
      await median(() => store.listScores(filter, page)),
      `(median; total ${total})`,
    );
  }
  report(
    'countCheckStatuses, whole scorecard',
    await median(() =>
      store.countCheckStatuses({ scorecardId: SCORECARD, checkIds: CHECK_IDS }),
    ),
    '(median)',
  );
  report(
    'getScoreHistory, all entities',
    await median(
      () =>
        store.getScoreHistory({
          scorecardId: SCORECARD,
          from: new Date(t0.getTime() + 1000),
          to: new Date(t0.getTime() + 86400_000),
        }),
      5,
    ),
    '(median)',
  );
  report('getVersion', await median(() => store.getVersion()), '(median)');
  return lines;
}

async function main() {
  console.log(
    `Store benchmark: ${ENTITIES} entities x ${CHECK_IDS.length} checks, Node ${
      process.version
    }, ${os.cpus()[0]?.model}`,
  );

  const sqlite = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  try {
    await benchmark('sqlite (memory)', sqlite);
  } finally {
    await sqlite.destroy();
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scorecards-bench-'));
  const sqliteFile = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'bench.sqlite') },
    useNullAsDefault: true,
  });
  try {
    await benchmark('sqlite (file)', sqliteFile);
  } finally {
    await sqliteFile.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  if (POSTGRES === 'off') {
    return;
  }
  const admin = knexFactory({ client: 'pg', connection: POSTGRES });
  const database = `scorecards_bench_${process.pid}`;
  try {
    await admin.raw('create database ??', [database]);
  } catch (error) {
    console.log(`postgres skipped: ${(error as Error).message}`);
    await admin.destroy();
    return;
  }
  const url = new URL(POSTGRES);
  url.pathname = `/${database}`;
  const pg = knexFactory({ client: 'pg', connection: url.toString() });
  try {
    await benchmark('postgres', pg);
  } finally {
    await pg.destroy();
    await admin.raw('drop database ??', [database]);
    await admin.destroy();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
