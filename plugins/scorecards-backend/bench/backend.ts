/*
 * Backend benchmark: the scorecards plugin in a real Backstage backend, next to a real catalog
 * backend holding a generated organisation, once on SQLite and once on PostgreSQL.
 *
 * For each database it starts a backend with `createBackend` from @backstage/backend-defaults
 * (the real HTTP server and the real auth, httpAuth, scheduler, database and discovery services;
 * only the root config is given in code) with
 *   - @backstage/plugin-catalog-backend, fed by an entity provider module with one full mutation:
 *     a 5-level organisation of 511 groups (root → 6 departments → 24 areas → 96 sub-areas →
 *     384 teams), 1,536 users, 24 domains, 288 systems and 10,000 components (services, websites,
 *     libraries) whose adoption of the annotations the built-in checks read varies by department;
 *   - the scorecards plugin, with its default definitions and a manually triggered schedule;
 *   - a small `bench` plugin whose real service tokens (plugin-to-plugin JWTs, verified by the
 *     scorecards plugin against the bench plugin's public keys) authenticate the requests.
 * It waits until the catalog has processed and stitched every entity (the entity count through
 * the catalog service, then an empty stitch queue), triggers the evaluation task through the
 * scheduler's own endpoint, waits for the run through `GET /api/scorecards/runs`, triggers it
 * again with nothing changed (counting insert/update/delete statements on the scorecards tables
 * through knex query events, and the store's `WriteSummary.rowsWritten`), measures API latencies
 * over HTTP from a worker thread (so the client's work is not on the backend's event loop), and
 * prints a table with the project's performance targets. Each database runs in a child process
 * of its own, so memory figures are not mixed. The service tokens bypass the permission policy,
 * as every backend-to-backend call does: entity answers then need no catalog round trip; the row
 * for the catalog visibility check shows what a conditional permission policy adds to them.
 *
 * The conditional-policy rows use the permission framework as an installation would: the real
 * permission backend with a policy that lets users read what their teams own (and, in the first
 * variant, the organisation's Groups, Users, Systems and Domains), and real user tokens, issued
 * by the auth backend to users of the generated catalog (a proxy provider signs them in, so
 * their ownership claims are their team's). Ten users take turns, as leaders opening the rollup
 * (each user's first request, when the catalog is asked what they may read, counts among them);
 * the first request of each of two hundred other users is measured apart (the permission backend
 * and the catalog are asked for what they may read).
 *
 * On SQLite the catalog keeps its database in memory (it commits a few transactions per entity
 * it processes, which on a file takes minutes); every other plugin, scorecards included, gets a
 * file. On PostgreSQL every plugin gets a schema in one throwaway database, vacuumed and
 * analyzed once the catalog is loaded (as autovacuum would be). After the rows above, the
 * scorecards tables are analyzed (autovacuum does that within a minute of the first run on a
 * default server) and the drill-down is measured again.
 *
 * Run alone, from the repository root:
 *   ./run yarn bench backend
 * or from the package directory:
 *   node --require @backstage/cli/config/nodeTransform.cjs bench/backend.ts
 * (`./run bash -c 'cd plugins/scorecards-backend && node --require @backstage/cli/config/nodeTransform.cjs bench/backend.ts'`)
 * It takes about 6 minutes, most of it the catalog processing 12,359 entities twice.
 * Every result is saved as <os tmpdir>/scorecards-backend-bench/results/<database>-<size>.json.
 * Growth, one database and size at a time (a 50,000-component catalog takes about 10 minutes to
 * load the first time):
 *   BENCH_DATABASES=postgres BENCH_SIZES=50000 node --require @backstage/cli/config/nodeTransform.cjs bench/backend.ts
 *
 * Environment:
 *   BENCH_POSTGRES       admin connection string; a throwaway database is created and dropped
 *                        (default postgresql://postgres@127.0.0.1:5432/postgres; "off" to skip)
 *   BENCH_DATABASES      which databases to run, comma-separated (default sqlite,postgres)
 *   BENCH_SQLITE         "file" (default) or "memory" (every plugin's database in memory)
 *   BENCH_COMPONENTS     components to generate (default 10000)
 *   BENCH_SIZES          growth mode: the sizes to run, in components, e.g. 1000,10000,50000
 *                        (each size on each database in a process of its own). Growth mode
 *                        leaves out the conditional-policy rows, keeps loaded catalogs, and
 *                        ends with the growth table of every result saved so far, so sizes run
 *                        by separate invocations end up in one table.
 *   BENCH_CATALOG_CACHE  "on" (default in growth mode) or "off": keep a loaded catalog and
 *                        reuse it (PostgreSQL: a database per size and generator version, whose
 *                        other plugins' schemas are dropped on reuse; SQLite: a copy of the
 *                        in-memory catalog, made with VACUUM INTO, that the catalog then reads
 *                        as a file). The rows still come from the real catalog backend: it is
 *                        started on the kept database and waited for until it has no work left.
 *                        Kept under <os tmpdir>/scorecards-backend-bench/, with the results.
 *   BENCH_REQUESTS       requests per API latency row (default 300; the targets want 200 or more)
 *   LOG_LEVEL            backend log level (default warn)
 * For finding where time goes:
 *   BENCH_TRACE=1        log the SQL behind each run and latency row, by total time
 *   BENCH_PROFILE=<dir>  write a CPU profile of each run and each latency row to <dir> (the
 *                        results are then not saved for the growth table)
 *   BENCH_KEEP_DATABASE=1  keep the PostgreSQL database, to EXPLAIN queries afterwards
 */
import { createBackend } from '@backstage/backend-defaults';
import {
  AuthService,
  UserInfoService,
  coreServices,
  createBackendModule,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import authPlugin from '@backstage/plugin-auth-backend';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import permissionPlugin from '@backstage/plugin-permission-backend';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  CatalogService,
  catalogProcessingExtensionPoint,
  catalogServiceRef,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import type { RunRecord } from '@guardrails/plugin-scorecards-common';
import knexFactory, { Knex } from 'knex';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import inspector from 'node:inspector';
import net, { AddressInfo } from 'node:net';
import os from 'node:os';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import scorecardsPlugin from '../src';
import { DatabaseScorecardsStore } from '../src/database/DatabaseScorecardsStore';
import { generateCatalog, ORG_SHAPE } from './_catalog';
import { random } from './_random';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

const POSTGRES =
  process.env.BENCH_POSTGRES ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres')
  .split(',')
  .map(d => d.trim())
  .filter(Boolean);
const SQLITE_MODE = process.env.BENCH_SQLITE === 'memory' ? 'memory' : 'file';
/** Catalog sizes to run, in components; more than one, or BENCH_SIZES at all, is growth mode. */
const SIZES = (process.env.BENCH_SIZES ?? '')
  .split(',')
  .map(n => Number(n.trim()))
  .filter(n => n > 0);
const GROWTH = process.env.BENCH_GROWTH === '1' || SIZES.length > 0;
const COMPONENTS = Number(process.env.BENCH_COMPONENTS ?? 10_000);
/** Loaded catalogs are kept here and reused, keyed by size and the generator's source. */
const CACHE_DIR = path.join(os.tmpdir(), 'scorecards-backend-bench');
const RESULTS_DIR = path.join(CACHE_DIR, 'results');
const CATALOG_CACHE =
  (process.env.BENCH_CATALOG_CACHE ?? (GROWTH ? 'on' : 'off')) === 'on';
const GENERATOR_VERSION = createHash('sha1')
  .update(fs.readFileSync(path.join(__dirname, '_catalog.ts')))
  .update(fs.readFileSync(path.join(__dirname, '_random.ts')))
  .digest('hex')
  .slice(0, 8);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const CHILD_ENV = 'BENCH_BACKEND_CHILD';
const TASK_ID = 'scorecards-evaluate';

const TARGETS = {
  runMs: 20_000,
  entityP95: 10,
  rollupP95: 100,
  /** The rollup's target: the indicators head the same page. */
  indicatorsP95: 100,
  conditionalRollupP95: 300,
  drillP95: 50,
  minRequests: 200,
};
/** The targets at the largest size of the growth table, 50,000 components. */
const GROWTH_TARGETS = {
  components: 50_000,
  runMs: 45_000,
  pagingMs: 4_000,
  rollupP95: 100,
  drillP95: 50,
  /** At most this much faster than linear: 6x time for 5x entities. */
  overLinear: 1.2,
};
/** Drill-down page searches and failing checks, picked in turn. */
const SEARCHES = ['svc-0', 'web-0', 'lib-0'];
const FAILING_CHECKS = ['runbook', 'dashboard', 'slo-defined', 'techdocs'];
/** Users taking turns for the conditional-policy rows, and users measured on their first request. */
const WARM_USERS = 10;
const COLD_USERS = 200;

// ---------------------------------------------------------------------------------------------
// One database, in a child process
// ---------------------------------------------------------------------------------------------

interface Latency {
  requests: number;
  p50: number;
  p95: number;
  max: number;
}

interface RunMeasurement {
  durationMs: number;
  wallMs: number;
  entities: number;
  changed: number;
  removed: number;
  rowsWritten: number;
  resultStatements: number;
  bookkeepingStatements: number;
  statementsByTable: Record<string, number>;
  /** PostgreSQL: what the server wrote while the run ran. */
  server?: ServerWrites;
}

/**
 * PostgreSQL's own counters over a run (`pg_stat_wal`, `pg_stat_bgwriter`, server-wide): the
 * write-ahead log it wrote, the checkpoints that log forced, and the pages the plugin's own
 * connection had to write out itself because the shared buffers were full.
 */
interface ServerWrites {
  walMb: number;
  checkpoints: number;
  backendWritesMb: number;
  sharedBuffers: string;
  maxWalSize: string;
}

/** The rollup under one conditional policy. */
interface PolicyRows {
  /** How many entities the median user may read. */
  readable: number;
  rollup: Latency;
  /** The first request of each user, who made none before. */
  rollupFirst: Latency;
}

/** Paging through every entity by 500, following cursors; the median of a few passes. */
interface Paging {
  ms: number;
  maxMs: number;
  passes: number;
  pages: number;
  entities: number;
}

/** The drill-down pages of the growth table: first and last, of three listings. */
type PageRows = Record<
  | 'first'
  | 'last'
  | 'searchFirst'
  | 'searchNewFirst'
  | 'searchLast'
  | 'failingFirst'
  | 'failingLast',
  Latency
>;

interface DatabaseResult {
  database: string;
  /** sqlite or postgres. */
  kind: string;
  components: number;
  /** Whether the catalog's database was a reused one, loaded by an earlier run. */
  catalogReused: boolean;
  savedAt: string;
  /** The commit measured, and whether the work tree differed from it. */
  commit: string;
  catalogEntities: number;
  catalogCounts: Record<string, number>;
  catalogLoadMs: number;
  firstRun: RunMeasurement;
  secondRun: RunMeasurement;
  rollupColdMs: number;
  entity: Latency;
  /** The catalog request behind every entity request, made alone from inside the backend. */
  catalogCheck: Latency;
  /** An authenticated request to the plugin with one small query and no catalog call. */
  floor: Latency;
  rollup: Latency;
  /** `GET /trends` of the whole organisation: points, movers with causes, teams, new entities. */
  trends: Latency;
  heatmap: Latency;
  /** The four default indicators and a median of a fact pushed for every component. */
  indicators: Latency;
  /** The first indicators request, computed rather than kept. */
  indicatorsColdMs: number;
  drill: Latency;
  /** PostgreSQL: whether autovacuum is on, and the drill-down again after ANALYZE. */
  autovacuum?: string;
  drillAnalyzed?: Latency;
  paging: Paging;
  pages: PageRows;
  /**
   * User tokens under the conditional policies; the drill-down and trends under the first.
   * Not measured in growth mode.
   */
  conditional?: {
    structure: PolicyRows;
    ownedOnly: PolicyRows;
    drill: Latency;
    trends: Latency;
  };
  memoryBeforeRun: { rssMb: number; heapMb: number };
  memoryAfterRun: { rssMb: number; heapMb: number };
  /** After the API requests too, with the rollup's cache filled. */
  memoryAtEnd: { rssMb: number; heapMb: number };
}

/**
 * The HTTP client of the latency rows, run in a worker thread: a browser's work (building
 * requests, reading and parsing responses) is not on the backend's event loop, so the client's
 * should not be either. A request's time runs until its whole body has arrived.
 */
const CLIENT_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const checks = {
  entity: b => Array.isArray(b.scorecards) && b.scorecards.length > 0 && b.scorecards[0].checks.length > 0,
  rollup: b => b.by === 'group' && b.groups.length === 1 && b.groups[0].children.length === workerData.departments,
  drill: b => Array.isArray(b.items) && b.items.length === 50 && b.total > 50,
  // A page of a search or a failing check, first or last: full unless the listing is shorter.
  page: b => Array.isArray(b.items) && b.total > 0 && b.items.length === Math.min(b.total, 50),
  runs: b => Array.isArray(b.items) && b.items.length === 1,
  indicators: b => Array.isArray(b.indicators) && b.indicators.length === 5 && b.indicators.every(i => i.now.entities > 0),
  // A user of the conditional policies reads a team's share of the catalog, not all of it.
  ownRollup: b => b.by === 'group' && b.summary.entities < 1000,
  ownDrill: b => Array.isArray(b.items) && b.total < 1000 && b.items.length === Math.min(b.total, 50),
  ownTrends: b => Array.isArray(b.points) && b.points[b.points.length - 1].entities < 1000,
  // The whole organisation's trend, with its movers, teams and new entities.
  trends: b => Array.isArray(b.points) && b.points[b.points.length - 1].entities > 0 && Array.isArray(b.improved) && Array.isArray(b.teams.improved) && typeof b.new.total === 'number',
  heatmap: b => Array.isArray(b.rows) && b.rows.length === workerData.departments && b.columns.length > 0,
};
async function main() {
  const times = [];
  for (let i = 0; i < workerData.urls.length; i++) {
    const url = workerData.urls[i];
    const start = process.hrtime.bigint();
    const token = workerData.tokens ? workerData.tokens[i % workerData.tokens.length] : workerData.token;
    const response = await fetch(url, { headers: { authorization: 'Bearer ' + token } });
    const text = await response.text();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (!response.ok || !checks[workerData.check](JSON.parse(text))) {
      throw new Error('GET ' + url + ': ' + response.status + ' ' + text.slice(0, 300));
    }
    if (i >= workerData.warmup) times.push(ms);
  }
  return times;
}
main().then(
  times => parentPort.postMessage({ times }),
  error => parentPort.postMessage({ error: String((error && error.stack) || error) }),
);
`;

/**
 * Paging through every entity, in a worker thread as the latency rows are: from the first page,
 * following `nextCursor` until a page has none. Each pass is timed; every entity must come once.
 */
const PAGING_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
async function pass() {
  const seen = new Set();
  let pages = 0;
  let total;
  let url = workerData.first;
  const start = process.hrtime.bigint();
  for (;;) {
    const response = await fetch(url, { headers: { authorization: 'Bearer ' + workerData.token } });
    const text = await response.text();
    if (!response.ok) throw new Error('GET ' + url + ': ' + response.status + ' ' + text.slice(0, 300));
    const body = JSON.parse(text);
    pages += 1;
    if (total === undefined) total = body.total;
    for (const item of body.items) {
      if (seen.has(item.entityRef)) throw new Error(item.entityRef + ' came twice');
      seen.add(item.entityRef);
    }
    if (!body.nextCursor) break;
    url = workerData.api + '/entities?cursor=' + encodeURIComponent(body.nextCursor);
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (seen.size !== total) throw new Error('Paging saw ' + seen.size + ' entities of ' + total);
  return { ms, pages, entities: seen.size };
}
async function main() {
  const passes = [];
  for (let i = 0; i < workerData.passes; i++) passes.push(await pass());
  return passes;
}
main().then(
  passes => parentPort.postMessage({ passes }),
  error => parentPort.postMessage({ error: String((error && error.stack) || error) }),
);
`;

/**
 * The conditional policy users get: what their teams own, and (`structure`) the organisation's
 * Groups, Users, Systems and Domains, or (`owned-only`) nothing else. Service principals never
 * reach a policy: the permission framework allows them.
 */
const policy = { variant: 'structure' as 'structure' | 'owned-only' };

class BenchPolicy implements PermissionPolicy {
  constructor(private readonly userInfo: UserInfoService) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!isPermission(request.permission, catalogEntityReadPermission)) {
      return { result: AuthorizeResult.ALLOW };
    }
    const claims = user
      ? (await this.userInfo.getUserInfo(user.credentials)).ownershipEntityRefs
      : [];
    const owned = catalogConditions.isEntityOwner({ claims });
    return createCatalogConditionalDecision(
      request.permission,
      policy.variant === 'owned-only'
        ? owned
        : {
            anyOf: [
              owned,
              catalogConditions.isEntityKind({
                kinds: ['Group', 'User', 'System', 'Domain'],
              }),
            ],
          },
    );
  }
}

/** What the bench plugin and modules capture from inside the backend. */
const probe: {
  connection?: EntityProviderConnection;
  catalogDb?: Knex;
  scorecardsDb?: Knex;
  auth?: AuthService;
  catalog?: CatalogService;
} = {};

function benchFeatures() {
  const provider: EntityProvider = {
    getProviderName: () => 'scorecards-bench',
    async connect(connection) {
      probe.connection = connection;
    },
  };
  const catalogModule = createBackendModule({
    pluginId: 'catalog',
    moduleId: 'scorecards-bench-entities',
    register(reg) {
      reg.registerInit({
        deps: {
          processing: catalogProcessingExtensionPoint,
          database: coreServices.database,
        },
        async init({ processing, database }) {
          processing.addEntityProvider(provider);
          probe.catalogDb = await database.getClient();
        },
      });
    },
  });
  const scorecardsModule = createBackendModule({
    pluginId: 'scorecards',
    moduleId: 'bench-probe',
    register(reg) {
      reg.registerInit({
        deps: { database: coreServices.database },
        async init({ database }) {
          // The same knex instance the plugin's store writes through.
          probe.scorecardsDb = await database.getClient();
        },
      });
    },
  });
  const benchPlugin = createBackendPlugin({
    pluginId: 'bench',
    register(reg) {
      reg.registerInit({
        deps: {
          auth: coreServices.auth,
          // Serves this plugin's public keys, so other plugins can verify the tokens it issues.
          httpRouter: coreServices.httpRouter,
          catalog: catalogServiceRef,
        },
        async init({ auth, catalog }) {
          probe.auth = auth;
          probe.catalog = catalog;
        },
      });
    },
  });
  const policyModule = createBackendModule({
    pluginId: 'permission',
    moduleId: 'bench-policy',
    register(reg) {
      reg.registerInit({
        deps: {
          policies: policyExtensionPoint,
          userInfo: coreServices.userInfo,
        },
        async init({ policies, userInfo }) {
          policies.setPolicy(new BenchPolicy(userInfo));
        },
      });
    },
  });
  // Signs in the catalog user named in a header: real user tokens, with the claims the catalog
  // gives them (the user and the teams they are members of).
  const authModule = createBackendModule({
    pluginId: 'auth',
    moduleId: 'bench-provider',
    register(reg) {
      reg.registerInit({
        deps: { providers: authProvidersExtensionPoint },
        async init({ providers }) {
          providers.registerProvider({
            providerId: 'bench',
            factory: createProxyAuthProviderFactory<string>({
              authenticator: createProxyAuthenticator({
                defaultProfileTransform: async () => ({ profile: {} }),
                initialize: () => undefined,
                async authenticate({ req }) {
                  const name = req.header('x-bench-user');
                  if (!name) throw new Error('Missing x-bench-user');
                  return { result: name };
                },
              }),
              signInResolver: async ({ result }, ctx) =>
                ctx.signInWithCatalogUser({ entityRef: { name: result } }),
            }),
          });
        },
      });
    },
  });
  return [
    catalogModule,
    scorecardsModule,
    benchPlugin,
    policyModule,
    authModule,
  ];
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>(resolve => server.close(() => resolve()));
  return port;
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number) {
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
}

function memory() {
  gc();
  const m = process.memoryUsage();
  return { rssMb: m.rss / 1024 / 1024, heapMb: m.heapUsed / 1024 / 1024 };
}

/**
 * A loaded catalog kept between runs (BENCH_CATALOG_CACHE): the catalog's database after the
 * full mutation was processed and stitched, with the time the catalog was generated for (its
 * dates are relative to it, so the same entities are generated again).
 */
interface CatalogCache {
  /** Whether the catalog's database came from the cache, loaded already. */
  reused: boolean;
  /** The `now` to generate the catalog for. */
  now: number;
  /** Keeps the loaded catalog, once it is processed and stitched. */
  save(catalogDb: Knex): Promise<void>;
}

const cacheMetaFile = (kind: string) =>
  path.join(
    CACHE_DIR,
    `${kind}-catalog-${COMPONENTS}-${GENERATOR_VERSION}.json`,
  );

function readCacheMeta(kind: string): { now: number } | undefined {
  if (!CATALOG_CACHE) return undefined;
  try {
    return JSON.parse(fs.readFileSync(cacheMetaFile(kind), 'utf8'));
  } catch {
    return undefined;
  }
}

function writeCacheMeta(kind: string, now: number) {
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  fs.writeFileSync(cacheMetaFile(kind), JSON.stringify({ now }));
}

/**
 * The catalog of a reused database reprocesses an entity when its `next_update_at` has passed,
 * which for a catalog loaded more than `processingInterval` ago is every entity: postponed, so
 * that it does not during the measurements.
 */
async function postponeProcessing(db: Knex, kind: string) {
  await db('refresh_state').update({
    next_update_at:
      kind === 'sqlite'
        ? db.raw(`datetime('now', '+1 day')`)
        : db.raw(`now() + interval '1 day'`),
  });
}

async function withDatabase<T>(
  kind: string,
  fn: (database: JsonObject, cache: CatalogCache) => Promise<T>,
): Promise<T> {
  const meta = readCacheMeta(kind);
  const now = meta?.now ?? Date.now();
  if (kind === 'sqlite') {
    if (SQLITE_MODE === 'memory') {
      return fn(
        { client: 'better-sqlite3', connection: ':memory:' },
        { reused: false, now, save: async () => {} },
      );
    }
    const dir = fs.mkdtempSync(
      path.join(os.tmpdir(), 'scorecards-backend-bench-'),
    );
    const cacheFile = cacheMetaFile(kind).replace(/\.json$/, '.sqlite');
    const reused = Boolean(meta) && fs.existsSync(cacheFile);
    try {
      if (reused) {
        // A copy: the catalog writes to its database as it runs.
        fs.copyFileSync(cacheFile, path.join(dir, 'catalog.sqlite'));
        const db = knexFactory({
          client: 'better-sqlite3',
          connection: { filename: path.join(dir, 'catalog.sqlite') },
          useNullAsDefault: true,
        });
        await postponeProcessing(db, kind);
        await db.destroy();
      }
      return await fn(
        {
          client: 'better-sqlite3',
          connection: { directory: dir },
          // The catalog commits a few transactions per entity it processes; on a file that is an
          // fsync each, and loading takes minutes. It loads fastest in memory, and only the
          // scorecards plugin's database is under test. A reused catalog is a file, read only.
          ...(!reused && { plugin: { catalog: { connection: ':memory:' } } }),
        },
        {
          reused,
          now,
          async save(catalogDb) {
            if (!CATALOG_CACHE || reused) return;
            fs.mkdirSync(CACHE_DIR, { recursive: true });
            fs.rmSync(cacheFile, { force: true });
            await catalogDb.raw('vacuum into ?', [cacheFile]);
            writeCacheMeta(kind, now);
          },
        },
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const admin = knexFactory({ client: 'pg', connection: POSTGRES });
  const name = CATALOG_CACHE
    ? `scorecards_backend_bench_catalog_${COMPONENTS}_${GENERATOR_VERSION}`
    : `scorecards_backend_bench_${process.pid}`;
  const url = new URL(POSTGRES);
  const connection = {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || 'postgres'),
    ...(url.password && { password: decodeURIComponent(url.password) }),
    database: name,
  };
  try {
    const exists =
      (await admin('pg_database').where({ datname: name }).first()) !==
      undefined;
    const reused = Boolean(meta) && exists;
    if (reused) {
      // Everything but the catalog's schema goes: the plugins under test start empty.
      const db = knexFactory({ client: 'pg', connection });
      const { rows } = await db.raw(
        `select nspname from pg_namespace where nspname not in ('catalog', 'public', 'information_schema') and nspname not like 'pg\\_%'`,
      );
      for (const { nspname } of rows as { nspname: string }[]) {
        await db.raw('drop schema ?? cascade', [nspname]);
      }
      await db.destroy();
      const catalogDb = knexFactory({
        client: 'pg',
        connection,
        searchPath: ['catalog'],
      });
      await postponeProcessing(catalogDb, kind);
      await catalogDb.destroy();
    } else {
      if (exists) {
        await admin.raw('drop database ?? with (force)', [name]);
      }
      await admin.raw('create database ??', [name]);
    }
    return await fn(
      {
        client: 'pg',
        connection,
        // Every plugin in a schema of its own inside the one database.
        pluginDivisionMode: 'schema',
      },
      {
        reused,
        now,
        async save() {
          if (CATALOG_CACHE && !reused) writeCacheMeta(kind, now);
        },
      },
    );
  } finally {
    if (process.env.BENCH_KEEP_DATABASE || CATALOG_CACHE) {
      process.stderr.write(`[postgres] kept database ${name}\n`);
    } else {
      await admin
        .raw('drop database if exists ?? with (force)', [name])
        .catch(() => admin.raw('drop database if exists ??', [name]));
    }
    await admin.destroy();
  }
}

/** BENCH_PROFILE=<dir>: a CPU profile of each measured phase, for finding where time goes. */
async function profiled<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return fn();
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<any>((resolve, reject) =>
      session.post(method, params, (error, result) =>
        error ? reject(error) : resolve(result),
      ),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('HeapProfiler.enable');
  await post('Profiler.start');
  // Every allocation, including what garbage collection has freed since.
  await post('HeapProfiler.startSampling', {
    samplingInterval: 16384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  try {
    return await fn();
  } finally {
    const { profile } = await post('Profiler.stop');
    const { profile: heap } = await post('HeapProfiler.stopSampling');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, `${label}.cpuprofile`),
      JSON.stringify(profile),
    );
    fs.writeFileSync(
      path.join(dir, `${label}.heapprofile`),
      JSON.stringify(heap),
    );
    session.disconnect();
  }
}

async function benchmarkDatabase(kind: string): Promise<DatabaseResult> {
  const log = (message: string) =>
    process.stderr.write(`[${kind}] ${message}\n`);
  // The store's own account of what it wrote.
  let rowsWritten = 0;
  const write = DatabaseScorecardsStore.prototype.writeEvaluations;
  DatabaseScorecardsStore.prototype.writeEvaluations =
    async function writeEvaluations(
      this: DatabaseScorecardsStore,
      ...args: Parameters<typeof write>
    ) {
      const summary = await write.apply(this, args);
      rowsWritten += summary.rowsWritten;
      return summary;
    };

  return withDatabase(kind, async (database, cache) => {
    const generated = generateCatalog(COMPONENTS, cache.now);
    const expected = generated.entities.length;
    log(
      `generated ${expected} entities (${Object.entries(generated.counts)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')})${cache.reused ? '; the catalog holds them already' : ''}`,
    );
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const config = new ConfigReader({
      // The auth backend wants to know where the app is, though no browser signs in here.
      app: { baseUrl },
      backend: {
        baseUrl,
        listen: { host: '127.0.0.1', port },
        database,
      },
      catalog: {
        // Entities are reprocessed on this cadence; long enough that the catalog's own
        // reprocessing does not run during the measurements.
        processingInterval: { minutes: 30 },
      },
      permission: { enabled: true },
      auth: { providers: { bench: {} } },
      scorecards: {
        // Runs only when triggered: the benchmark triggers them itself.
        schedule: {
          frequency: { trigger: 'manual' },
          timeout: { minutes: 15 },
        },
        // The defaults, and a fact's median, so that the fact history is measured too.
        indicators: {
          'silver-or-above': {
            title: 'Production services at Silver or above',
            description: 'The share at Silver or above.',
            measure: {
              type: 'level',
              scorecard: 'production-readiness',
              level: 'Silver',
            },
          },
          'slo-defined': {
            title: 'With an SLO',
            description: 'The share with an SLO.',
            measure: { type: 'check', check: 'slo-defined' },
          },
          'on-call': {
            title: 'With alerts routed to on-call',
            description: 'The share with alerts routed to on-call.',
            measure: { type: 'check', check: 'on-call' },
          },
          'security-review': {
            title: 'With a current security review',
            description: 'The share reviewed in the last year.',
            measure: { type: 'check', check: 'security-review' },
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
        },
      },
    });

    const backend = createBackend();
    backend.add(
      createServiceFactory({
        service: coreServices.rootConfig,
        deps: {},
        factory: () => config,
      }),
    );
    backend.add(catalogPlugin);
    backend.add(permissionPlugin);
    backend.add(authPlugin);
    backend.add(scorecardsPlugin);
    for (const feature of benchFeatures()) {
      backend.add(feature);
    }

    const started = Date.now();
    await backend.start();
    log(`backend started in ${Date.now() - started} ms on ${baseUrl}`);
    try {
      const { connection, catalog, auth, catalogDb, scorecardsDb } = probe;
      if (!connection || !catalog || !auth || !catalogDb || !scorecardsDb) {
        throw new Error('The bench modules were not initialised');
      }
      const credentials = await auth.getOwnServiceCredentials();

      // Load the catalog and wait until every entity is processed and stitched.
      // A reused catalog holds them already: it is only waited for, in case it has work left.
      const loadStart = Date.now();
      if (!cache.reused) {
        await connection.applyMutation({
          type: 'full',
          entities: generated.entities.map(entity => ({
            entity,
            locationKey: 'scorecards-bench',
          })),
        });
        log(`full mutation applied in ${Date.now() - loadStart} ms`);
      }
      let total = 0;
      let lastLog = 0;
      for (;;) {
        const { totalItems } = await catalog.queryEntities(
          { limit: 1, fields: ['kind'] },
          { credentials },
        );
        total = totalItems;
        let queued = 0;
        if (total >= expected) {
          const [{ count }] = await catalogDb('stitch_queue').count({
            count: '*',
          });
          queued = Number(count);
          if (queued === 0) break;
        }
        if (Date.now() - lastLog > 10_000) {
          lastLog = Date.now();
          log(
            `catalog: ${total}/${expected} entities stitched${
              queued ? `, ${queued} stitches queued` : ''
            }`,
          );
        }
        // SQLite loads 50,000 components in about half an hour here; an hour means it is stuck.
        if (Date.now() - loadStart > 60 * 60_000) {
          throw new Error(
            `The catalog did not finish loading: ${total}/${expected}`,
          );
        }
        await sleep(250);
      }
      const catalogLoadMs = Date.now() - loadStart;
      log(`catalog loaded: ${total} entities in ${catalogLoadMs} ms`);
      if (kind === 'postgres') {
        // A catalog that has been running has table statistics and a visibility map: autovacuum
        // keeps them within a minute of a bulk write on a default server. It may be off (it is
        // on some test servers), and this catalog was just loaded or had its refresh state
        // rewritten, so the database is vacuumed and analyzed here as autovacuum would have.
        const vacuumStart = Date.now();
        await catalogDb.raw('vacuum analyze');
        log(
          `catalog database vacuumed and analyzed in ${
            Date.now() - vacuumStart
          } ms`,
        );
      }
      if (!cache.reused && CATALOG_CACHE) {
        const saveStart = Date.now();
        // A catalog that cannot be kept is loaded again next time; the rows are measured anyway.
        await cache.save(catalogDb).then(
          () => log(`catalog kept for reuse in ${Date.now() - saveStart} ms`),
          error => log(`the catalog could not be kept: ${error}`),
        );
      }
      const memoryBeforeRun = memory();

      const token = async () =>
        (
          await auth.getPluginRequestToken({
            onBehalfOf: credentials,
            targetPluginId: 'scorecards',
          })
        ).token;
      let bearer = await token();
      const api = `${baseUrl}/api/scorecards`;
      const request = async (
        pathAndQuery: string,
        init: RequestInit = {},
      ): Promise<Response> => {
        const response = await fetch(`${api}${pathAndQuery}`, {
          ...init,
          headers: { authorization: `Bearer ${bearer}`, ...init.headers },
        });
        if (!response.ok) {
          throw new Error(
            `${init.method ?? 'GET'} ${pathAndQuery}: ${
              response.status
            } ${await response.text()}`,
          );
        }
        return response;
      };

      // Unauthenticated requests must be refused, or the latencies below mean little.
      const anonymous = await fetch(`${api}/rollup?by=group`);
      if (anonymous.status !== 401) {
        throw new Error(
          `An unauthenticated request got ${anonymous.status}, not 401`,
        );
      }

      const countStatements = () => {
        const byTable: Record<string, number> = {};
        const listener = (query: { sql: string }) => {
          const match =
            /^\s*(?:insert\s+into|update|delete\s+from)\s+[`"]?([\w.]+)/i.exec(
              query.sql,
            );
          let table = match?.[1];
          if (
            (table === 'scorecards_history' ||
              table === 'scorecards_fact_observations') &&
            /^\s*delete/i.test(query.sql)
          ) {
            // Pruning old history, which the task does after each run.
            table = `${table}_prune`;
          }
          if (table?.startsWith('scorecards_')) {
            byTable[table] = (byTable[table] ?? 0) + 1;
          }
        };
        scorecardsDb.on('query', listener);
        return () => {
          scorecardsDb.removeListener('query', listener);
          return byTable;
        };
      };

      const waitUntilIdle = async () => {
        for (;;) {
          const { tasks } = (await (
            await request('/.backstage/scheduler/v1/tasks')
          ).json()) as {
            tasks: { taskId: string; taskState: { status: string } | null }[];
          };
          const task = tasks.find(t => t.taskId === TASK_ID);
          if (!task) throw new Error(`No task ${TASK_ID}`);
          if (task.taskState?.status !== 'running') return;
          await sleep(200);
        }
      };

      const run = async (label: string): Promise<RunMeasurement> => {
        await waitUntilIdle();
        const before = (
          (await (await request('/runs?limit=100')).json()) as {
            items: RunRecord[];
          }
        ).items.map(r => r.id);
        rowsWritten = 0;
        const stop = countStatements();
        const t0 = Date.now();
        await request(`/.backstage/scheduler/v1/tasks/${TASK_ID}/trigger`, {
          method: 'POST',
        });
        let record: RunRecord | undefined;
        for (;;) {
          await sleep(100);
          const { items } = (await (await request('/runs?limit=5')).json()) as {
            items: RunRecord[];
          };
          record = items.find(r => !before.includes(r.id));
          if (record && record.status !== 'running') break;
          if (Date.now() - t0 > 15 * 60_000)
            throw new Error(`${label} run timed out`);
        }
        const wallMs = Date.now() - t0;
        // The task prunes history and records the fingerprint after the run; count those too.
        await waitUntilIdle();
        const byTable = stop();
        if (record.status !== 'succeeded') {
          throw new Error(`${label} run ${record.status}: ${record.error}`);
        }
        const results = [
          'scorecards_entities',
          'scorecards_check_results',
          'scorecards_scores',
          'scorecards_history',
        ];
        const sum = (tables: string[]) =>
          tables.reduce((n, t) => n + (byTable[t] ?? 0), 0);
        const measurement: RunMeasurement = {
          durationMs: record.durationMs ?? wallMs,
          wallMs,
          entities: record.entities,
          changed: record.changed,
          removed: record.removed,
          rowsWritten,
          resultStatements: sum(results),
          bookkeepingStatements: sum(
            Object.keys(byTable).filter(t => !results.includes(t)),
          ),
          statementsByTable: byTable,
        };
        log(`${label} run: ${JSON.stringify(measurement)}`);
        return measurement;
      };

      // BENCH_TRACE=1: the queries behind each latency row, slowest first.
      const trace = (label: string) => {
        if (!process.env.BENCH_TRACE) return () => {};
        const pending = new Map<string, [string, bigint]>();
        const totals = new Map<string, { n: number; ms: number }>();
        const dbs = [
          ['catalog', catalogDb],
          ['scorecards', scorecardsDb],
        ] as const;
        const listeners = dbs.map(([name, db]) => {
          const onQuery = (q: { __knexQueryUid: string; sql: string }) => {
            pending.set(q.__knexQueryUid, [
              `${name}: ${q.sql.slice(0, 160)}`,
              process.hrtime.bigint(),
            ]);
          };
          const onResponse = (_: unknown, q: { __knexQueryUid: string }) => {
            const s0 = pending.get(q.__knexQueryUid);
            if (!s0) return;
            pending.delete(q.__knexQueryUid);
            const t = totals.get(s0[0]) ?? { n: 0, ms: 0 };
            t.n += 1;
            t.ms += Number(process.hrtime.bigint() - s0[1]) / 1e6;
            totals.set(s0[0], t);
          };
          db.on('query', onQuery);
          db.on('query-response', onResponse);
          return () => {
            db.removeListener('query', onQuery);
            db.removeListener('query-response', onResponse);
          };
        });
        // How long the event loop was blocked, and by garbage collection.
        const loop = monitorEventLoopDelay({ resolution: 1 });
        loop.enable();
        const gcs: number[] = [];
        const gcObserver = new PerformanceObserver(list => {
          list.getEntries().forEach(entry => gcs.push(entry.duration));
        });
        gcObserver.observe({ entryTypes: ['gc'] });
        return () => {
          listeners.forEach(stop => stop());
          loop.disable();
          gcObserver.disconnect();
          log(
            `trace of ${label}: event loop delay p50 ${(
              loop.percentile(50) / 1e6
            ).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(
              1,
            )} ms, max ${(loop.max / 1e6).toFixed(1)} ms; ${
              gcs.length
            } GCs, ${gcs
              .reduce((a, b) => a + b, 0)
              .toFixed(0)} ms, max ${Math.max(0, ...gcs).toFixed(1)} ms`,
          );
          [...totals.entries()]
            .sort((a, b) => b[1].ms - a[1].ms)
            .slice(0, 12)
            .forEach(([sql, t]) =>
              log(`  ${t.n} x ${(t.ms / t.n).toFixed(2)} ms  ${sql}`),
            );
        };
      };

      const serverWrites = async () => {
        if (kind !== 'postgres') return () => Promise.resolve(undefined);
        const read = async () =>
          (
            await scorecardsDb.raw(
              `select (select wal_bytes from pg_stat_wal) as wal,
                 checkpoints_timed + checkpoints_req as checkpoints,
                 buffers_backend * current_setting('block_size')::bigint as backend,
                 current_setting('shared_buffers') as shared_buffers,
                 current_setting('max_wal_size') as max_wal_size
               from pg_stat_bgwriter`,
            )
          ).rows[0];
        const before = await read();
        return async (): Promise<ServerWrites> => {
          const after = await read();
          const mb = (key: string) =>
            Math.round((Number(after[key]) - Number(before[key])) / 1e6);
          return {
            walMb: mb('wal'),
            checkpoints: Number(after.checkpoints) - Number(before.checkpoints),
            backendWritesMb: mb('backend'),
            sharedBuffers: after.shared_buffers,
            maxWalSize: after.max_wal_size,
          };
        };
      };
      const tracedRun = async (label: 'first' | 'unchanged') => {
        const stopTrace = trace(`${label} run`);
        const written = await serverWrites();
        try {
          const measured = await profiled(`${kind}-run-${label}`, () =>
            run(label),
          );
          return { ...measured, server: await written() };
        } finally {
          stopTrace();
        }
      };
      const firstRun = await tracedRun('first');
      const secondRun = await tracedRun('unchanged');
      const memoryAfterRun = memory();

      // API latencies, sequential requests over one keep-alive connection pool.
      bearer = await token();
      const r = random(7);
      const measure = async (
        label: string,
        next: () => string,
        check:
          | 'entity'
          | 'rollup'
          | 'drill'
          | 'page'
          | 'runs'
          | 'indicators'
          | 'ownRollup'
          | 'ownDrill'
          | 'ownTrends'
          | 'trends'
          | 'heatmap',
        /** User tokens, one request each in turn; the bench's service token otherwise. */
        users?: { tokens: string[]; warmup: number; requests: number },
      ): Promise<Latency> => {
        const warmup = users?.warmup ?? 20;
        const urls = Array.from(
          { length: warmup + (users?.requests ?? REQUESTS) },
          () => `${api}${next()}`,
        );
        const stopTrace = trace(label);
        const worker = new Worker(CLIENT_SOURCE, {
          eval: true,
          workerData: {
            urls,
            token: bearer,
            tokens: users?.tokens,
            warmup,
            check,
            departments: ORG_SHAPE.departments,
          },
        });
        const result = await new Promise<{ times?: number[]; error?: string }>(
          (resolve, reject) => {
            worker.once('message', resolve);
            worker.once('error', reject);
          },
        );
        await worker.terminate();
        stopTrace();
        if (!result.times) {
          throw new Error(`${label}: ${result.error}`);
        }
        const times = result.times.sort((a, b) => a - b);
        const latency = {
          requests: times.length,
          p50: percentile(times, 50),
          p95: percentile(times, 95),
          max: times[times.length - 1],
        };
        log(`${label}: ${JSON.stringify(latency)}`);
        return latency;
      };

      // The catalog call the router makes on every entity request to check that the caller may
      // read the entity, alone: the share of the entity scorecard's latency that is the catalog's.
      const visibility: number[] = [];
      for (let i = 0; i < 20 + REQUESTS; i++) {
        const t = process.hrtime.bigint();
        const { items } = await catalog.getEntitiesByRefs(
          { entityRefs: [r.pick(generated.componentRefs)], fields: ['kind'] },
          { credentials },
        );
        if (!items[0]) throw new Error('The catalog lost an entity');
        if (i >= 20) visibility.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      visibility.sort((a, b) => a - b);
      const catalogCheck: Latency = {
        requests: visibility.length,
        p50: percentile(visibility, 50),
        p95: percentile(visibility, 95),
        max: visibility[visibility.length - 1],
      };
      log(`catalog visibility check: ${JSON.stringify(catalogCheck)}`);

      const coldStart = process.hrtime.bigint();
      await (await request('/rollup?by=group')).json();
      const rollupColdMs = Number(process.hrtime.bigint() - coldStart) / 1e6;

      const entity = await profiled(`${kind}-entity`, () =>
        measure(
          'entity',
          () =>
            `/entity?entityRef=${encodeURIComponent(
              r.pick(generated.componentRefs),
            )}`,
          'entity',
        ),
      );
      const floor = await measure('runs', () => '/runs?limit=1', 'runs');
      const rollup = await profiled(`${kind}-rollup`, () =>
        measure('rollup', () => '/rollup?by=group', 'rollup'),
      );
      const trends = await profiled(`${kind}-trends`, () =>
        measure('trends (movers)', () => '/trends', 'trends'),
      );
      const heatmap = await profiled(`${kind}-heatmap`, () =>
        measure('heatmap', () => '/heatmap?axis=category', 'heatmap'),
      );
      // A lead time for every component, observed 40 days ago and again yesterday, so the
      // indicators read facts now and the fact history 30 days ago.
      const day = 24 * 60 * 60 * 1000;
      const leadTimes = random(11);
      for (const [daysAgo, freshFor] of [
        [40, 'P60D'],
        [1, 'P7D'],
      ] as const) {
        for (let i = 0; i < generated.componentRefs.length; i += 1000) {
          await request('/facts', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              facts: generated.componentRefs
                .slice(i, i + 1000)
                .map(entityRef => ({
                  entityRef,
                  name: 'leadTime',
                  value: 1 + leadTimes.int(200),
                  observedAt: new Date(
                    Date.now() - daysAgo * day,
                  ).toISOString(),
                  freshFor,
                })),
            }),
          });
        }
      }
      const indicatorsStart = process.hrtime.bigint();
      await (await request('/indicators')).json();
      const indicatorsColdMs =
        Number(process.hrtime.bigint() - indicatorsStart) / 1e6;
      const indicators = await profiled(`${kind}-indicators`, () =>
        measure('indicators', () => '/indicators', 'indicators'),
      );
      const drill = await profiled(`${kind}-drill`, () =>
        measure(
          'drill-down',
          () =>
            `/entities?scope=${encodeURIComponent(
              r.pick(generated.departmentRefs),
            )}&sort=-score&pageSize=50`,
          'drill',
        ),
      );

      // PostgreSQL plans the drill-down's join from table statistics. Autovacuum gathers them
      // within a minute of a bulk write on a default server, but it may be off (it is on some
      // test servers), and the rows above were measured seconds after the first run. Measure
      // the drill-down again with the statistics a live installation has.
      let autovacuum: string | undefined;
      let drillAnalyzed: Latency | undefined;
      if (kind === 'postgres') {
        autovacuum = String(
          (await scorecardsDb.raw('show autovacuum')).rows[0].autovacuum,
        );
        await scorecardsDb.raw(
          'analyze scorecards_entities, scorecards_scores, scorecards_check_results, scorecards_history',
        );
        drillAnalyzed = await measure(
          'drill-down after analyze',
          () =>
            `/entities?scope=${encodeURIComponent(
              r.pick(generated.departmentRefs),
            )}&sort=-score&pageSize=50`,
          'drill',
        );
      }

      // Paging through every entity by 500, as an export or a sync would.
      const pagingWorker = new Worker(PAGING_SOURCE, {
        eval: true,
        workerData: {
          first: `${api}/entities?pageSize=500`,
          api,
          token: bearer,
          passes: 3,
        },
      });
      const paged = await new Promise<{
        passes?: { ms: number; pages: number; entities: number }[];
        error?: string;
      }>((resolve, reject) => {
        pagingWorker.once('message', resolve);
        pagingWorker.once('error', reject);
      });
      await pagingWorker.terminate();
      if (!paged.passes) throw new Error(`paging: ${paged.error}`);
      const passTimes = paged.passes.map(p => p.ms).sort((a, b) => a - b);
      const paging: Paging = {
        ms: percentile(passTimes, 50),
        maxMs: passTimes[passTimes.length - 1],
        passes: passTimes.length,
        pages: paged.passes[0].pages,
        entities: paged.passes[0].entities,
      };
      log(`paging every entity by 500: ${JSON.stringify(paging)}`);

      // Drill-down pages, first and last, with no filter, a text search and a failing check.
      // The last page is reached from the end: a `prev` cursor with no key is the listing's end
      // (the cursor the API hands out after an empty page), made from the first page's cursor.
      const fromTheEnd = async (query: string) => {
        const body = (await (await request(`/entities?${query}`)).json()) as {
          nextCursor?: string;
        };
        if (!body.nextCursor) throw new Error(`/entities?${query}: one page`);
        const next = JSON.parse(
          Buffer.from(body.nextCursor, 'base64url').toString('utf8'),
        );
        return Buffer.from(
          JSON.stringify({ ...next, dir: 'prev', key: [] }),
          'utf8',
        ).toString('base64url');
      };
      const listing = '/entities?sort=-score&pageSize=50';
      const lastOf = new Map<string, string>();
      for (const query of [
        '',
        ...SEARCHES.map(q => `&q=${q}`),
        ...FAILING_CHECKS.map(c => `&failingCheck=${c}`),
      ]) {
        lastOf.set(
          query,
          `/entities?cursor=${encodeURIComponent(
            await fromTheEnd(`sort=-score&pageSize=50${query}`),
          )}`,
        );
      }
      const pageRow = (
        label: string,
        queries: string[],
        last: boolean,
        inTurn = false,
      ) => {
        let turn = 0;
        return profiled(`${kind}-${label.replace(/\W+/g, '-')}`, () =>
          measure(
            label,
            () => {
              const query = inTurn
                ? queries[turn++ % queries.length]
                : r.pick(queries);
              return last ? lastOf.get(query)! : `${listing}${query}`;
            },
            'page',
          ),
        );
      };
      const searches = SEARCHES.map(q => `&q=${q}`);
      const failing = FAILING_CHECKS.map(c => `&failingCheck=${c}`);
      const pages: PageRows = {
        first: await pageRow('page first', [''], false),
        last: await pageRow('page last', [''], true),
        searchFirst: await pageRow('page q first', searches, false),
        // A search no request asked before (three digits: every name from 00000 on holds some),
        // so its total is counted, not kept from an earlier request.
        searchNewFirst: await pageRow(
          'page new q first',
          Array.from(
            { length: 1000 },
            (_, i) => `&q=${String(i).padStart(3, '0')}`,
          ),
          false,
          true,
        ),
        searchLast: await pageRow('page q last', searches, true),
        failingFirst: await pageRow('page failingCheck first', failing, false),
        failingLast: await pageRow('page failingCheck last', failing, true),
      };

      const common = {
        kind,
        components: COMPONENTS,
        catalogReused: cache.reused,
        savedAt: new Date().toISOString(),
        commit: currentCommit(),
        database:
          kind === 'sqlite'
            ? `SQLite (${SQLITE_MODE === 'memory' ? 'in memory' : 'file'})`
            : `PostgreSQL ${await serverVersion(scorecardsDb)}`,
        catalogEntities: total,
        catalogCounts: generated.counts,
        catalogLoadMs,
        firstRun,
        secondRun,
        rollupColdMs,
        entity,
        catalogCheck,
        floor,
        rollup,
        trends,
        heatmap,
        indicators,
        indicatorsColdMs,
        drill,
        autovacuum,
        drillAnalyzed,
        paging,
        pages,
        memoryBeforeRun,
        memoryAfterRun,
      };
      if (GROWTH) {
        return { ...common, memoryAtEnd: memory() };
      }

      // Under the conditional policies, with real user tokens.
      const userToken = async (index: number) => {
        const response = await fetch(`${baseUrl}/api/auth/bench/refresh`, {
          headers: { 'x-bench-user': `user-${index}` },
        });
        if (!response.ok) {
          throw new Error(
            `Could not sign in user-${index}: ${
              response.status
            } ${await response.text()}`,
          );
        }
        const body = (await response.json()) as {
          backstageIdentity: { token: string };
        };
        return body.backstageIdentity.token;
      };
      const users = (indices: number[]) => Promise.all(indices.map(userToken));
      /** How many entities the median of these users may read, as the catalog says. */
      const readable = async (tokens: string[]) => {
        const counts = await Promise.all(
          tokens.map(async t => {
            const response = await fetch(
              `${baseUrl}/api/catalog/entities/by-query?limit=1&fields=kind`,
              { headers: { authorization: `Bearer ${t}` } },
            );
            return ((await response.json()) as { totalItems: number })
              .totalItems;
          }),
        );
        return counts.sort((a, b) => a - b)[Math.floor(counts.length / 2)];
      };
      // Spread over the departments; their first requests count too. The first request of a
      // user is also measured apart, with users who made no request before.
      const userCount = generated.counts.User;
      const turnIndices = Array.from({ length: WARM_USERS }, (_, i) =>
        Math.floor((i * userCount) / WARM_USERS),
      );
      const takingTurns = await users(turnIndices);
      const turns = { tokens: takingTurns, warmup: 0, requests: REQUESTS };
      const first = {
        tokens: await users(
          Array.from({ length: userCount }, (_, i) => i)
            .filter(i => !turnIndices.includes(i))
            .filter((_, i) => i % 7 === 3)
            .slice(0, COLD_USERS),
        ),
        warmup: 0,
        requests: COLD_USERS,
      };

      const rollupsUnder = async (
        variant: typeof policy.variant,
      ): Promise<PolicyRows> => {
        policy.variant = variant;
        return {
          readable: await readable(takingTurns),
          rollup: await profiled(`${kind}-rollup-${variant}`, () =>
            measure(
              `${variant}: rollup`,
              () => '/rollup?by=group',
              'ownRollup',
              turns,
            ),
          ),
          rollupFirst: await measure(
            `${variant}: rollup, first request of each user`,
            () => '/rollup?by=group',
            'ownRollup',
            first,
          ),
        };
      };
      const structure = await rollupsUnder('structure');
      const conditionalDrill = await measure(
        'structure: drill-down',
        () => '/entities?sort=-score&pageSize=50',
        'ownDrill',
        turns,
      );
      const conditionalTrends = await measure(
        'structure: trends',
        () => '/trends',
        'ownTrends',
        turns,
      );
      const ownedOnly = await rollupsUnder('owned-only');

      return {
        ...common,
        conditional: {
          structure,
          ownedOnly,
          drill: conditionalDrill,
          trends: conditionalTrends,
        },
        memoryAtEnd: memory(),
      };
    } finally {
      await backend.stop();
    }
  });
}

function currentCommit(): string {
  const git = (...args: string[]) =>
    spawnSync('git', args, { cwd: __dirname, encoding: 'utf8' }).stdout.trim();
  const head = git('rev-parse', '--short', 'HEAD') || 'unknown';
  return git(
    'status',
    '--porcelain',
    '--untracked-files=no',
    '--',
    '..',
    '../../scorecards-common',
  )
    ? `${head}+changes`
    : head;
}

async function serverVersion(db: Knex): Promise<string> {
  const result = await db.raw('show server_version');
  return String(result.rows?.[0]?.server_version ?? '').split(' ')[0];
}

// ---------------------------------------------------------------------------------------------
// The parent: one child per database, then the table
// ---------------------------------------------------------------------------------------------

function runChild(
  kind: string,
  components: number,
): Promise<DatabaseResult | { error: string }> {
  return new Promise(resolve => {
    const child = spawn(process.execPath, [...process.execArgv, __filename], {
      env: {
        ...process.env,
        [CHILD_ENV]: kind,
        BENCH_COMPONENTS: String(components),
        ...(GROWTH && { BENCH_GROWTH: '1' }),
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: DatabaseResult | { error: string } | undefined;
    child.on('message', message => {
      result = message as DatabaseResult | { error: string };
    });
    child.on('exit', code => {
      resolve(
        result ?? { error: `the benchmark process exited with code ${code}` },
      );
    });
  });
}

async function postgresAvailable(): Promise<string | undefined> {
  const admin = knexFactory({ client: 'pg', connection: POSTGRES });
  try {
    await admin.raw('select 1');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await admin.destroy();
  }
}

const PAGE_ROWS: [keyof PageRows, string][] = [
  ['first', 'GET /entities?sort=-score&pageSize=50, first page'],
  ['last', 'GET /entities?sort=-score&pageSize=50, last page (from the end)'],
  ['searchFirst', `… &q=<${SEARCHES.join('|')}>, first page`],
  [
    'searchNewFirst',
    '… &q=<000…999>, first page, a new search each time (total counted)',
  ],
  ['searchLast', `… &q=<${SEARCHES.join('|')}>, last page`],
  ['failingFirst', `… &failingCheck=<${FAILING_CHECKS.join('|')}>, first page`],
  ['failingLast', `… &failingCheck=<${FAILING_CHECKS.join('|')}>, last page`],
];

function printTable(results: DatabaseResult[]) {
  const ms = (n: number) => `${n.toFixed(n < 100 ? 1 : 0)} ms`;
  const s = (n: number) => `${(n / 1000).toFixed(1)} s`;
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const rows: string[][] = [];
  const latencyRow = (what: string, l: Latency, target: number) => [
    what,
    `p95 ${ms(l.p95)}, median ${ms(l.p50)} (${l.requests} requests, max ${ms(
      l.max,
    )})`,
    `p95 < ${target} ms, ≥ ${TARGETS.minRequests} requests`,
    verdict(l.p95 < target && l.requests >= TARGETS.minRequests),
  ];
  const infoRow = (what: string, l: Latency) => [
    what,
    `p95 ${ms(l.p95)}, median ${ms(l.p50)} (${l.requests} requests)`,
    'informational',
    'info',
  ];
  for (const r of results) {
    const db = r.database;
    rows.push([`${db}`, '', '', '']);
    rows.push([
      '  catalog load (full mutation → all processed and stitched)',
      `${s(r.catalogLoadMs)}, ${r.catalogEntities} entities (${Object.entries(
        r.catalogCounts,
      )
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')})`,
      'informational',
      'info',
    ]);
    rows.push([
      '  full run',
      `${s(r.firstRun.durationMs)} for ${r.firstRun.entities} entities (${
        r.firstRun.changed
      } changed, ${r.firstRun.rowsWritten} rows written; ${s(
        r.firstRun.wallMs,
      )} from trigger)`,
      `< ${s(TARGETS.runMs)}`,
      verdict(
        r.firstRun.durationMs < TARGETS.runMs &&
          r.firstRun.entities >= r.components,
      ),
    ]);
    if (r.firstRun.server) {
      const w = r.firstRun.server;
      rows.push([
        '    the server during the full run (pg_stat_wal, pg_stat_bgwriter)',
        `${w.walMb} MB of write-ahead log, ${w.checkpoints} checkpoints, ${w.backendWritesMb} MB written out by backends for want of buffers (shared_buffers ${w.sharedBuffers}, max_wal_size ${w.maxWalSize})`,
        'informational',
        'info',
      ]);
    }
    const rerun = r.secondRun;
    rows.push([
      '  re-run, nothing changed',
      `${s(rerun.durationMs)}, ${rerun.changed} changed, ${
        rerun.rowsWritten
      } result rows written, ${
        rerun.resultStatements
      } write statements on result tables (+${
        rerun.bookkeepingStatements
      } bookkeeping: ${Object.entries(rerun.statementsByTable)
        .filter(([t]) => !/_(entities|check_results|scores|history)$/.test(t))
        .map(([t, n]) => `${t.replace('scorecards_', '')} ${n}`)
        .join(', ')})`,
      '≈ 0 rows written',
      verdict(
        rerun.rowsWritten === 0 &&
          rerun.changed === 0 &&
          rerun.resultStatements === 0,
      ),
    ]);
    rows.push(
      latencyRow(
        '  GET /entity?entityRef=… (random entities)',
        r.entity,
        TARGETS.entityP95,
      ),
    );
    rows.push(
      infoRow(
        '    the catalog visibility check alone (getEntitiesByRefs), added when the permission policy is conditional',
        r.catalogCheck,
      ),
      infoRow(
        '    for comparison: GET /runs?limit=1 (authenticated, one small query, no catalog call)',
        r.floor,
      ),
    );
    rows.push(
      latencyRow(
        '  GET /rollup?by=group (whole org)',
        r.rollup,
        TARGETS.rollupP95,
      ),
    );
    rows.push(
      infoRow(
        '  movers (trends) p95: GET /trends (whole org, 12 weeks, movers with causes, teams, new)',
        r.trends,
      ),
      infoRow('  GET /heatmap?axis=category (whole org)', r.heatmap),
    );
    rows.push(
      latencyRow(
        '  GET /indicators (whole org: a level, three checks and a fact median, now and 30 days ago)',
        r.indicators,
        TARGETS.indicatorsP95,
      ),
    );
    rows.push([
      '  GET /indicators, first request (computed: kept a minute while the store stands)',
      ms(r.indicatorsColdMs),
      'informational',
      'info',
    ]);
    rows.push([
      '  GET /rollup?by=group, first request after a run',
      ms(r.rollupColdMs),
      'informational (cache fill)',
      'info',
    ]);
    rows.push(
      latencyRow(
        `  GET /entities?scope=<department>&sort=-score&pageSize=50${
          r.drillAnalyzed
            ? `, tables not analyzed yet (autovacuum ${
                r.autovacuum === 'on'
                  ? 'on, but not yet run'
                  : 'off on this server'
              })`
            : ''
        }`,
        r.drill,
        TARGETS.drillP95,
      ),
    );
    if (r.drillAnalyzed) {
      rows.push(
        latencyRow(
          '  GET /entities?scope=<department>&sort=-score&pageSize=50, after ANALYZE',
          r.drillAnalyzed,
          TARGETS.drillP95,
        ),
      );
    }
    rows.push([
      '  GET /entities?pageSize=500, following nextCursor through every entity',
      `${s(r.paging.ms)} for ${r.paging.entities} entities in ${
        r.paging.pages
      } pages (median of ${r.paging.passes} passes, max ${s(r.paging.maxMs)})`,
      'informational; < 4 s at 50,000',
      'info',
    ]);
    for (const [key, what] of PAGE_ROWS) {
      rows.push(latencyRow(`  ${what}`, r.pages[key], TARGETS.drillP95));
    }
    const policyRows = (who: string, p: PolicyRows) => {
      rows.push([
        `  conditional policy, user tokens: users read ${who} (${p.readable} entities for the median user)`,
        '',
        '',
        '',
      ]);
      rows.push(
        latencyRow(
          `    GET /rollup?by=group, ${WARM_USERS} users taking turns`,
          p.rollup,
          TARGETS.conditionalRollupP95,
        ),
        latencyRow(
          `    GET /rollup?by=group, the first request of each of ${COLD_USERS} users (permission backend and catalog asked)`,
          p.rollupFirst,
          TARGETS.conditionalRollupP95,
        ),
      );
    };
    if (r.conditional) {
      policyRows(
        "what their teams own and the org's Groups, Users, Systems and Domains",
        r.conditional.structure,
      );
      rows.push(
        infoRow(
          `    GET /entities?sort=-score&pageSize=50, ${WARM_USERS} users taking turns`,
          r.conditional.drill,
        ),
        infoRow(
          `    GET /trends (12 weeks), ${WARM_USERS} users taking turns`,
          r.conditional.trends,
        ),
      );
      policyRows('only what their teams own', r.conditional.ownedOnly);
    }
    const mem = (m: { rssMb: number; heapMb: number }) =>
      `RSS ${m.rssMb.toFixed(0)} MB, heap ${m.heapMb.toFixed(0)} MB`;
    rows.push([
      '  memory after the runs (one process: catalog + scorecards + bench)',
      `${mem(r.memoryAfterRun)}; before the runs ${mem(
        r.memoryBeforeRun,
      )}; after the API requests ${mem(r.memoryAtEnd)}`,
      'informational',
      'info',
    ]);
  }
  printRows(['what', 'measured', 'target', 'result'], rows);
}

function printRows(header: string[], rows: string[][]) {
  const widths = header.map((h, c) =>
    Math.max(h.length, ...rows.map(row => (row[c] ?? '').length)),
  );
  const line = (cells: string[]) =>
    `| ${header
      .map((_, c) => (cells[c] ?? '').padEnd(widths[c]))
      .join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`);
  rows.forEach(row => console.log(line(row)));
}

// ---------------------------------------------------------------------------------------------
// Growth: each database and size's result is saved; the table shows whatever is saved
// ---------------------------------------------------------------------------------------------

const resultFile = (kind: string, components: number) =>
  path.join(RESULTS_DIR, `${kind}-${components}.json`);

function saveResult(result: DatabaseResult) {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(
    resultFile(result.kind, result.components),
    JSON.stringify(result, null, 2),
  );
}

function savedResults(): DatabaseResult[] {
  if (!fs.existsSync(RESULTS_DIR)) return [];
  return fs
    .readdirSync(RESULTS_DIR)
    .filter(name => name.endsWith('.json'))
    .map(
      name =>
        JSON.parse(
          fs.readFileSync(path.join(RESULTS_DIR, name), 'utf8'),
        ) as DatabaseResult,
    )
    .filter(r => r.paging && r.pages);
}

/**
 * Per database, each row at each saved size, and its growth from one size to the next: the
 * time ratio next to the entity ratio, flagged when the time grows more than 20% faster than
 * the entities do. The targets are those at 50,000 components.
 */
function printGrowthTable(results: DatabaseResult[]) {
  const ms = (n: number) => `${n.toFixed(n < 100 ? 1 : 0)} ms`;
  const s = (n: number) => `${(n / 1000).toFixed(2)} s`;
  const measures: {
    what: string;
    value: (r: DatabaseResult) => number;
    format: (n: number) => string;
    target?: number;
  }[] = [
    {
      what: 'full run',
      value: r => r.firstRun.durationMs,
      format: s,
      target: GROWTH_TARGETS.runMs,
    },
    {
      what: 're-run, nothing changed',
      value: r => r.secondRun.durationMs,
      format: s,
    },
    {
      what: 'paging every entity by 500 (cursor)',
      value: r => r.paging.ms,
      format: s,
      target: GROWTH_TARGETS.pagingMs,
    },
    {
      what: "one entity's scorecard, p95",
      value: r => r.entity.p95,
      format: ms,
    },
    {
      what: 'whole-org rollup, p95',
      value: r => r.rollup.p95,
      format: ms,
      target: GROWTH_TARGETS.rollupP95,
    },
    ...PAGE_ROWS.map(([key, what]) => ({
      what: `${what.replace(
        'GET /entities?sort=-score&pageSize=50',
        'drill-down',
      )}, p95`,
      // Results saved before a row existed have none.
      value: (r: DatabaseResult) => r.pages[key]?.p95 ?? NaN,
      format: ms,
      target: GROWTH_TARGETS.drillP95,
    })),
  ];
  for (const kind of ['postgres', 'sqlite']) {
    const mine = results
      .filter(r => r.kind === kind)
      .sort((a, b) => a.components - b.components);
    if (mine.length === 0) continue;
    console.log(
      `\nGrowth on ${mine[mine.length - 1].database}: ${mine
        .map(
          r =>
            `${r.components} components (${
              r.firstRun.entities
            } entities evaluated${r.catalogReused ? ', reused catalog' : ''}, ${
              r.commit ?? ''
            } ${r.savedAt.slice(0, 16)})`,
        )
        .join('; ')}`,
    );
    const steps = mine.slice(1).map((r, i) => [mine[i], r] as const);
    const header = [
      'row',
      ...mine.map(r => `${r.components}`),
      ...steps.map(([a, b]) => `${a.components}→${b.components}`),
      `target at ${GROWTH_TARGETS.components}`,
      'result',
    ];
    const rows = measures.map(m => {
      const flags: string[] = [];
      const ratios = steps.map(([a, b]) => {
        const entities = b.firstRun.entities / a.firstRun.entities;
        const time = m.value(b) / m.value(a);
        const fast = time > entities * GROWTH_TARGETS.overLinear;
        if (fast) flags.push(`${a.components}→${b.components}`);
        return `${time.toFixed(2)}x for ${entities.toFixed(1)}x${
          fast ? ' GROWS FASTER THAN LINEAR' : ''
        }`;
      });
      const atTarget = mine.find(
        r => r.components === GROWTH_TARGETS.components,
      );
      let result = 'PASS';
      if (m.target !== undefined && !atTarget) {
        result = 'no 50k run';
      } else if (
        flags.length > 0 ||
        (m.target !== undefined && atTarget && m.value(atTarget) >= m.target)
      ) {
        result = 'FAIL';
      }
      return [
        m.what,
        ...mine.map(r => m.format(m.value(r))),
        ...ratios,
        m.target === undefined ? '≤ 1.2x linear' : `< ${m.format(m.target)}`,
        result,
      ];
    });
    printRows(header, rows);
  }
}

async function main() {
  const child = process.env[CHILD_ENV];
  if (child) {
    try {
      const result = await benchmarkDatabase(child);
      // A profiled run is slower than an unprofiled one: not one to compare sizes by.
      if (!process.env.BENCH_PROFILE) saveResult(result);
      if (process.send) {
        process.send(result);
      } else {
        printTable([result]);
      }
      process.exit(0);
    } catch (error) {
      const message = (error as Error).stack ?? String(error);
      process.stderr.write(`[${child}] ${message}\n`);
      process.send?.({ error: message });
      process.exit(1);
    }
  }

  const sizes = SIZES.length > 0 ? SIZES : [COMPONENTS];
  console.log(
    `Backend benchmark: real catalog backend + scorecards plugin, ${sizes.join(
      ', ',
    )} components${
      CATALOG_CACHE ? ` (loaded catalogs kept in ${CACHE_DIR})` : ''
    }, Node ${process.version}, ${os.cpus()[0]?.model} x ${os.cpus().length}`,
  );
  const results: DatabaseResult[] = [];
  const problems: string[] = [];
  for (const components of sizes) {
    for (const kind of DATABASES) {
      if (kind === 'postgres') {
        if (POSTGRES === 'off') {
          problems.push('PostgreSQL skipped: BENCH_POSTGRES=off');
          continue;
        }
        const unavailable = await postgresAvailable();
        if (unavailable) {
          problems.push(`PostgreSQL skipped: ${unavailable}`);
          continue;
        }
      }
      const result = await runChild(kind, components);
      if ('error' in result) {
        problems.push(
          `${kind} at ${components} failed: ${result.error.split('\n')[0]}`,
        );
      } else {
        results.push(result);
      }
    }
  }
  printTable(results);
  if (GROWTH) {
    console.log(`\nGrowth, from the results saved in ${RESULTS_DIR}:`);
    printGrowthTable(savedResults());
  }
  problems.forEach(p => console.log(p));
  const failed =
    problems.some(p => p.includes('failed')) || results.length === 0;
  process.exitCode = failed ? 1 : 0;
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
