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
 * file. On PostgreSQL every plugin gets a schema in one throwaway database. After the rows above,
 * PostgreSQL's tables are analyzed (autovacuum does that within a minute of the first run on a
 * default server) and the drill-down is measured again.
 *
 * Run alone, from the repository root:
 *   ./run yarn bench backend
 * or from the package directory:
 *   node --require @backstage/cli/config/nodeTransform.cjs bench/backend.ts
 * (`./run bash -c 'cd plugins/scorecards-backend && node --require @backstage/cli/config/nodeTransform.cjs bench/backend.ts'`)
 * It takes about 6 minutes, most of it the catalog processing 12,359 entities twice.
 *
 * Environment:
 *   BENCH_POSTGRES       admin connection string; a throwaway database is created and dropped
 *                        (default postgresql://postgres@127.0.0.1:5432/postgres; "off" to skip)
 *   BENCH_DATABASES      which databases to run, comma-separated (default sqlite,postgres)
 *   BENCH_SQLITE         "file" (default) or "memory" (every plugin's database in memory)
 *   BENCH_COMPONENTS     components to generate (default 10000)
 *   BENCH_REQUESTS       requests per API latency row (default 300; the targets want 200 or more)
 *   LOG_LEVEL            backend log level (default warn)
 * For finding where time goes:
 *   BENCH_TRACE=1        log the SQL behind each latency row, by total time
 *   BENCH_PROFILE=<dir>  write a CPU profile of each run and each latency row to <dir>
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
import { spawn } from 'node:child_process';
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
const COMPONENTS = Number(process.env.BENCH_COMPONENTS ?? 10_000);
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
}

/** The rollup under one conditional policy. */
interface PolicyRows {
  /** How many entities the median user may read. */
  readable: number;
  rollup: Latency;
  /** The first request of each user, who made none before. */
  rollupFirst: Latency;
}

interface DatabaseResult {
  database: string;
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
  /** User tokens under the conditional policies; the drill-down and trends under the first. */
  conditional: {
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

async function withDatabase<T>(
  kind: string,
  fn: (database: JsonObject) => Promise<T>,
): Promise<T> {
  if (kind === 'sqlite') {
    if (SQLITE_MODE === 'memory') {
      return fn({ client: 'better-sqlite3', connection: ':memory:' });
    }
    const dir = fs.mkdtempSync(
      path.join(os.tmpdir(), 'scorecards-backend-bench-'),
    );
    try {
      return await fn({
        client: 'better-sqlite3',
        connection: { directory: dir },
        // The catalog commits a few transactions per entity it processes; on a file that is an
        // fsync each, and loading takes minutes. It loads fastest in memory, and only the
        // scorecards plugin's database is under test.
        plugin: { catalog: { connection: ':memory:' } },
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const admin = knexFactory({ client: 'pg', connection: POSTGRES });
  const name = `scorecards_backend_bench_${process.pid}`;
  try {
    await admin.raw('create database ??', [name]);
    const url = new URL(POSTGRES);
    return await fn({
      client: 'pg',
      connection: {
        host: url.hostname,
        port: Number(url.port || 5432),
        user: decodeURIComponent(url.username || 'postgres'),
        ...(url.password && { password: decodeURIComponent(url.password) }),
        database: name,
      },
      // Every plugin in a schema of its own inside the one throwaway database.
      pluginDivisionMode: 'schema',
    });
  } finally {
    if (process.env.BENCH_KEEP_DATABASE) {
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
  const generated = generateCatalog(COMPONENTS, Date.now());
  const expected = generated.entities.length;
  log(
    `generated ${expected} entities (${Object.entries(generated.counts)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ')})`,
  );

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

  return withDatabase(kind, async database => {
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
      const loadStart = Date.now();
      await connection.applyMutation({
        type: 'full',
        entities: generated.entities.map(entity => ({
          entity,
          locationKey: 'scorecards-bench',
        })),
      });
      log(`full mutation applied in ${Date.now() - loadStart} ms`);
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
        if (Date.now() - loadStart > 30 * 60_000) {
          throw new Error(
            `The catalog did not finish loading: ${total}/${expected}`,
          );
        }
        await sleep(250);
      }
      const catalogLoadMs = Date.now() - loadStart;
      log(`catalog loaded: ${total} entities in ${catalogLoadMs} ms`);
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

      const firstRun = await profiled(`${kind}-run-first`, () => run('first'));
      const secondRun = await profiled(`${kind}-run-unchanged`, () =>
        run('unchanged'),
      );
      const memoryAfterRun = memory();

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
        conditional: {
          structure,
          ownedOnly,
          drill: conditionalDrill,
          trends: conditionalTrends,
        },
        memoryBeforeRun,
        memoryAfterRun,
        memoryAtEnd: memory(),
      };
    } finally {
      await backend.stop();
    }
  });
}

async function serverVersion(db: Knex): Promise<string> {
  const result = await db.raw('show server_version');
  return String(result.rows?.[0]?.server_version ?? '').split(' ')[0];
}

// ---------------------------------------------------------------------------------------------
// The parent: one child per database, then the table
// ---------------------------------------------------------------------------------------------

function runChild(kind: string): Promise<DatabaseResult | { error: string }> {
  return new Promise(resolve => {
    const child = spawn(process.execPath, [...process.execArgv, __filename], {
      env: {
        ...process.env,
        [CHILD_ENV]: kind,
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
          r.firstRun.entities >= COMPONENTS,
      ),
    ]);
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
  const header = ['what', 'measured', 'target', 'result'];
  const widths = header.map((h, c) =>
    Math.max(h.length, ...rows.map(row => row[c].length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`);
  rows.forEach(row => console.log(line(row)));
}

async function main() {
  const child = process.env[CHILD_ENV];
  if (child) {
    try {
      const result = await benchmarkDatabase(child);
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

  console.log(
    `Backend benchmark: real catalog backend + scorecards plugin, ${COMPONENTS} components, Node ${
      process.version
    }, ${os.cpus()[0]?.model} x ${os.cpus().length}`,
  );
  const results: DatabaseResult[] = [];
  const problems: string[] = [];
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
    const result = await runChild(kind);
    if ('error' in result) {
      problems.push(`${kind} failed: ${result.error.split('\n')[0]}`);
    } else {
      results.push(result);
    }
  }
  printTable(results);
  problems.forEach(p => console.log(p));
  const failed =
    problems.some(p => p.includes('failed')) || results.length === 0;
  process.exitCode = failed ? 1 : 0;
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
