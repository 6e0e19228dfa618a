/* eslint-disable no-console */
// Starts the example backend (packages/backend, on the example catalog) on a port of its own,
// with a database of its own in a temporary folder, for end-to-end tests, fixture recording and
// the entity-page benchmark (and, on a generated catalog, the rollup-page benchmark). It serves the app's production build when packages/app/dist exists.
//
//   import { startExampleBackend } from './example-backend.mjs';
//   const backend = await startExampleBackend({ port: 7107, config: { scorecards: {...} } });
//   ...; await backend.stop();
//
// Run directly (`node scripts/example-backend.mjs [port]`), it starts the backend and keeps it running.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Waits until `check` resolves truthy, polling every half second, or fails after `timeoutMs`. */
export async function waitFor(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs / 1000} s waiting for ${what}`,
      );
    }
    await new Promise(r => setTimeout(r, 500));
  }
}

/** How many components the example catalog declares. */
export function exampleComponentCount() {
  return ['examples/entities.yaml', 'catalog-info.yaml']
    .map(file => readFileSync(join(root, file), 'utf8'))
    .reduce(
      (n, text) => n + (text.match(/^kind: Component$/gm) ?? []).length,
      0,
    );
}

/** A guest user's token, as the app's sign-in page gets it. */
export async function guestToken(baseUrl) {
  const res = await fetch(`${baseUrl}/api/auth/guest/refresh`);
  if (!res.ok) throw new Error(`guest sign-in failed: ${res.status}`);
  return (await res.json()).backstageIdentity.token;
}

/** The example catalog is complete: every example component is there with its owner. */
function exampleCatalog() {
  const expected = exampleComponentCount();
  return {
    what: `the catalog to hold the ${expected} example components with their owners`,
    ready: async (baseUrl, headers) => {
      const res = await fetch(
        `${baseUrl}/api/catalog/entities/by-query?filter=kind=component&fields=metadata.name,relations&limit=1000`,
        { headers },
      );
      const { items } = await res.json();
      return (
        items.length === expected &&
        items.every(e => e.relations?.some(r => r.type === 'ownedBy'))
      );
    },
    timeoutMs: 120_000,
  };
}

/**
 * Starts the backend and resolves once it is ready and the catalog holds the example entities.
 * `config` is merged over app-config.yaml; `configFiles` are read after it, in order (Backstage
 * merges their objects key by key, so they can change one setting deep inside `backend`).
 * `catalog` replaces the wait for the example catalog, for a backend on another catalog:
 * `{ what, ready: (baseUrl, headers) => Promise<boolean>, timeoutMs }`. `waitForRun` runs the
 * evaluation every 15 seconds and also waits for a successful run over the whole catalog.
 */
export async function startExampleBackend({
  port = 7107,
  config = {},
  configFiles = [],
  catalog = exampleCatalog(),
  waitForRun = false,
  log = process.env.E2E_BACKEND_LOG === '1',
} = {}) {
  const baseUrl = `http://localhost:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'scorecards-example-'));
  const overrides = {
    app: { baseUrl },
    backend: {
      baseUrl,
      listen: { port },
      cors: { origin: baseUrl },
      database: {
        client: 'better-sqlite3',
        connection: { directory: join(dir, 'sqlite') },
      },
    },
    // A run every 15 seconds, so that one starts soon after the catalog is complete.
    ...(waitForRun && {
      scorecards: {
        schedule: {
          frequency: { seconds: 15 },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 5 },
        },
      },
    }),
    ...config,
  };
  const configFile = join(dir, 'app-config.override.json');
  writeFileSync(configFile, JSON.stringify(overrides, null, 2));

  const child = spawn(
    'yarn',
    [
      'workspace',
      'backend',
      'start',
      '--config',
      join(root, 'app-config.yaml'),
      '--config',
      configFile,
      ...configFiles.flatMap(file => ['--config', file]),
    ],
    {
      cwd: root,
      detached: true,
      stdio: log ? 'inherit' : ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    },
  );
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const stop = async () => {
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await waitFor('the backend to stop', () => exited, 15_000).catch(() =>
        process.kill(-child.pid, 'SIGKILL'),
      );
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitFor(
      'the backend to be ready',
      async () => {
        if (exited) throw new Error('the backend exited');
        const res = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
        return res.ok;
      },
      180_000,
    );
    const token = await guestToken(baseUrl);
    const headers = { Authorization: `Bearer ${token}` };
    await waitFor(
      catalog.what,
      () => catalog.ready(baseUrl, headers),
      catalog.timeoutMs,
    );
    if (waitForRun) {
      // A run that started before the catalog was complete saw part of it; wait for one after.
      const catalogReadyAt = Date.now();
      await waitFor(
        'a scorecards run over the whole catalog',
        async () => {
          const res = await fetch(`${baseUrl}/api/scorecards/runs?limit=5`, {
            headers,
          });
          const { items } = await res.json();
          return items.some(
            run =>
              run.status === 'succeeded' &&
              Date.parse(run.startedAt) >= catalogReadyAt,
          );
        },
        180_000,
      );
    }
    return { baseUrl, token, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? 7107);
  const backend = await startExampleBackend({ port, waitForRun: true });
  console.log(`Example backend ready at ${backend.baseUrl}`);
  const shutdown = async () => {
    await backend.stop();
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
