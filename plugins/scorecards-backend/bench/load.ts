/*
 * Load benchmark: the scorecards plugin in a real Backstage backend next to a real catalog
 * backend holding the generated organisation of bench/backend.ts, under concurrent clients.
 *
 * It starts one backend (SQLite, every plugin's database in memory but the scorecards plugin's,
 * which gets a file), loads the catalog, runs an evaluation, then drives four routes with
 * autocannon, one after the other: one entity's scorecard, the whole-org rollup (every group),
 * the top of the group tree that the org rollup page asks for first, and a page of 50 of the
 * drill-down, each from a client process of its own (bench/_client.ts). It prints requests per
 * second, p50, p99, requests over 2 s and errors per route, against the targets.
 *
 *   ./run yarn bench load
 *
 * Environment:
 *   BENCH_COMPONENTS   components to generate (default 10000)
 *   BENCH_CONNECTIONS  concurrent clients (default 32)
 *   BENCH_DURATION     seconds per route (default 20)
 *   LOG_LEVEL          backend log level (default warn)
 */
import { createBackend } from '@backstage/backend-defaults';
import {
  AuthService,
  coreServices,
  createBackendModule,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  CatalogService,
  catalogProcessingExtensionPoint,
  catalogServiceRef,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net, { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import scorecardsPlugin from '../src';
import { generateCatalog } from './_catalog';
import type { ClientResult } from './_client';

const COMPONENTS = Number(process.env.BENCH_COMPONENTS ?? 10_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DURATION = Number(process.env.BENCH_DURATION ?? 20);
const TARGETS = { p99Ms: 300, rollupRps: 640 };

const probe: {
  connection?: EntityProviderConnection;
  auth?: AuthService;
  catalog?: CatalogService;
} = {};

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>(resolve => server.close(() => resolve()));
  return port;
}

function features() {
  const catalogModule = createBackendModule({
    pluginId: 'catalog',
    moduleId: 'scorecards-load-entities',
    register(reg) {
      reg.registerInit({
        deps: { processing: catalogProcessingExtensionPoint },
        async init({ processing }) {
          processing.addEntityProvider({
            getProviderName: () => 'scorecards-load',
            async connect(connection) {
              probe.connection = connection;
            },
          });
        },
      });
    },
  });
  // Issues the service tokens the clients send.
  const loadPlugin = createBackendPlugin({
    pluginId: 'load',
    register(reg) {
      reg.registerInit({
        deps: {
          auth: coreServices.auth,
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
  return [catalogModule, loadPlugin];
}

interface Row extends ClientResult {
  route: string;
}

/**
 * Drives one route from a client process of its own (bench/_client.ts): clients in the backend's
 * process would take the event loop's time from the routes they measure.
 */
async function drive(route: string, url: string, bearer: string): Promise<Row> {
  const child = spawn(
    process.execPath,
    [
      '--require',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      path.join(__dirname, '_client.ts'),
      JSON.stringify({
        url,
        bearer,
        connections: CONNECTIONS,
        duration: DURATION,
      }),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', chunk => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) {
    throw new Error(`The clients of ${route} exited with ${code}`);
  }
  const result: ClientResult = JSON.parse(output.trim().split('\n').pop()!);
  return { route, ...result };
}

async function main() {
  // A log line per request would cost the backend more than some of the routes do.
  process.env.LOG_LEVEL ??= 'warn';
  const log = (message: string) => process.stderr.write(`[load] ${message}\n`);
  const generated = generateCatalog(COMPONENTS, Date.now());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scorecards-load-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = new ConfigReader({
    app: { baseUrl },
    backend: {
      baseUrl,
      listen: { host: '127.0.0.1', port },
      database: {
        client: 'better-sqlite3',
        connection: ':memory:',
        plugin: {
          scorecards: {
            // Backstage puts a plugin's SQLite file in `directory` (the working directory
            // when absent, whatever `filename` says).
            connection: { directory: dir, filename: 'scorecards.sqlite' },
          },
        },
      },
    },
    catalog: { processingInterval: { minutes: 30 } },
    scorecards: {
      schedule: { frequency: { trigger: 'manual' }, timeout: { minutes: 15 } },
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
  backend.add(scorecardsPlugin);
  for (const feature of features()) backend.add(feature);
  await backend.start();
  try {
    const { connection, auth, catalog } = probe;
    if (!connection || !auth || !catalog) {
      throw new Error('The load modules were not initialised');
    }
    const credentials = await auth.getOwnServiceCredentials();
    const loadStart = Date.now();
    await connection.applyMutation({
      type: 'full',
      entities: generated.entities.map(entity => ({
        entity,
        locationKey: 'scorecards-load',
      })),
    });
    const expected = generated.entities.length;
    for (;;) {
      const { totalItems } = await catalog.queryEntities(
        { limit: 1, fields: ['kind'] },
        { credentials },
      );
      if (totalItems >= expected) break;
      if (Date.now() - loadStart > 30 * 60_000) {
        throw new Error(`The catalog did not load: ${totalItems}/${expected}`);
      }
      await sleep(500);
    }
    // Stitching finishes shortly after the last entity shows.
    await sleep(5_000);
    log(`catalog loaded: ${expected} entities in ${Date.now() - loadStart} ms`);

    const { token: bearer } = await auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'scorecards',
    });
    const api = `${baseUrl}/api/scorecards`;
    const get = async (pathAndQuery: string, init: RequestInit = {}) => {
      const response = await fetch(`${api}${pathAndQuery}`, {
        ...init,
        headers: { authorization: `Bearer ${bearer}`, ...init.headers },
      });
      if (!response.ok) {
        throw new Error(`${pathAndQuery}: ${response.status}`);
      }
      return response.json();
    };
    const runStart = Date.now();
    await get('/runs?limit=1'); // the API is up
    const trigger = await fetch(
      `${api}/.backstage/scheduler/v1/tasks/scorecards-evaluate/trigger`,
      { method: 'POST', headers: { authorization: `Bearer ${bearer}` } },
    );
    if (!trigger.ok) {
      throw new Error(`trigger: ${trigger.status} ${await trigger.text()}`);
    }
    for (;;) {
      const { items: runs } = await get('/runs?limit=1');
      if (runs[0] && runs[0].status !== 'running') {
        if (runs[0].status !== 'succeeded') {
          throw new Error(`The run ${runs[0].status}: ${runs[0].error}`);
        }
        break;
      }
      await sleep(500);
    }
    log(`evaluated in ${Date.now() - runStart} ms`);

    const entityRef = generated.componentRefs[0];
    const routes: Array<[string, string]> = [
      ["one entity's scorecard", `/entity?entityRef=${entityRef}`],
      ['whole-org rollup', '/rollup?by=group'],
      // What the org rollup page asks for first: the top of the tree, deeper groups on demand.
      ['rollup page tree (depth 1)', '/rollup?by=group&depth=1'],
      ['drill-down page of 50', '/entities?pageSize=50'],
    ];
    const rows: Row[] = [];
    for (const [route, pathAndQuery] of routes) {
      await get(pathAndQuery); // warm
      log(`${route}: ${CONNECTIONS} clients for ${DURATION} s`);
      rows.push(await drive(route, `${api}${pathAndQuery}`, bearer));
    }

    console.log(
      `\n${COMPONENTS} components, ${CONNECTIONS} concurrent clients, ${DURATION} s per route from a client process, SQLite, Node ${
        process.version
      }, ${os.cpus().length} cores\n`,
    );
    console.log(
      '| route | requests/s | p50 | p99 | over 2 s | errors | answer |\n|---|---|---|---|---|---|---|',
    );
    const problems: string[] = [];
    for (const row of rows) {
      console.log(
        `| ${row.route} | ${row.requestsPerSecond.toFixed(0)} | ${
          row.p50
        } ms | ${row.p99} ms | ${row.over2s} | ${row.errors} | ${(
          row.bytes / 1024
        ).toFixed(1)} KB |`,
      );
      if (row.p99 >= TARGETS.p99Ms) {
        problems.push(`${row.route}: p99 ${row.p99} ms`);
      }
      if (row.over2s > 0) problems.push(`${row.route}: ${row.over2s} over 2 s`);
      if (row.errors > 0) problems.push(`${row.route}: ${row.errors} errors`);
    }
    const rollup = rows[1];
    if (rollup.requestsPerSecond < TARGETS.rollupRps) {
      problems.push(
        `rollup: ${rollup.requestsPerSecond.toFixed(0)} requests/s, target ${
          TARGETS.rollupRps
        }`,
      );
    }
    console.log(
      problems.length
        ? `\nMissed targets (p99 < ${
            TARGETS.p99Ms
          } ms, none over 2 s, no error, rollup >= ${
            TARGETS.rollupRps
          }/s):\n- ${problems.join('\n- ')}`
        : `\nEvery target met (p99 < ${TARGETS.p99Ms} ms, none over 2 s, no error, rollup >= ${TARGETS.rollupRps}/s).`,
    );
  } finally {
    try {
      await backend.stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().then(
  () => process.exit(0),
  error => {
    console.error(error);
    process.exit(1);
  },
);
