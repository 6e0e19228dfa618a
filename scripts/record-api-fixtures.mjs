/* eslint-disable no-console */
// Records the answers the real scorecards backend gives on the example catalog, for the tests of
// the frontend plugin's API client and components
// (plugins/scorecards/src/__testUtils__/recorded/*.json). Re-run it whenever the API changes:
//
//   ./run yarn record-fixtures
//
// It starts the example backend on port 7117 with an empty database and no scheduled run, so the
// first answer is "not evaluated yet"; it then evaluates the entities it needs on demand.

import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startExampleBackend } from './example-backend.mjs';

const out = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../plugins/scorecards/src/__testUtils__/recorded',
);

const ENTITIES = {
  exemplary: 'component:default/checkout-api',
  bare: 'component:default/content-service',
  malformed: 'component:default/cart-service',
  waived: 'component:default/payouts-service',
  advisory: 'component:default/storefront-web',
  library: 'component:default/design-system',
};

/** Records one answer of a backend in `<name>.json`. */
async function record(
  backend,
  name,
  { method = 'GET', path, query, body, token = backend.token },
) {
  const search = query ? `?${new URLSearchParams(query)}` : '';
  const res = await fetch(`${backend.baseUrl}/api/scorecards${path}${search}`, {
    method,
    headers: {
      ...(token && { Authorization: `Bearer ${token}` }),
      ...(body && { 'Content-Type': 'application/json' }),
    },
    body: body && JSON.stringify(body),
  });
  const csv = res.headers.get('content-type')?.startsWith('text/csv');
  const answer = csv ? await res.text() : await res.json();
  // Stack traces name the machine's paths and say nothing a client reads.
  if (!csv) delete answer.error?.stack;
  const recording = {
    request: { method, path, ...(query && { query }), ...(body && { body }) },
    response: { status: res.status, body: answer },
  };
  writeFileSync(
    join(out, `${name}.json`),
    `${JSON.stringify(recording, null, 2)}\n`,
  );
  console.log(`${name}: ${method} ${path}${search} -> ${res.status}`);
  return recording.response;
}

/** Entity answers, from a backend that has evaluated nothing until asked. */
async function recordEntities() {
  const backend = await startExampleBackend({
    port: 7117,
    config: {
      scorecards: {
        schedule: {
          frequency: { hours: 24 },
          timeout: { minutes: 5 },
          initialDelay: { hours: 24 },
        },
      },
    },
  });
  try {
    await record(backend, 'entity-not-evaluated', {
      path: '/entity',
      query: { entityRef: ENTITIES.exemplary },
    });
    for (const [name, entityRef] of Object.entries(ENTITIES)) {
      await record(backend, `evaluate-${name}`, {
        method: 'POST',
        path: '/entity/evaluate',
        body: { entityRef },
      });
      await record(backend, `entity-${name}`, {
        path: '/entity',
        query: { entityRef },
      });
    }
    await record(backend, 'history-exemplary', {
      path: '/entity/history',
      query: { entityRef: ENTITIES.exemplary },
    });
    await record(backend, 'entity-not-applicable', {
      path: '/entity',
      query: { entityRef: 'system:default/payments-core' },
    });
    await record(backend, 'entity-not-found', {
      path: '/entity',
      query: { entityRef: 'component:default/no-such-service' },
    });
    await record(backend, 'entity-bad-request', {
      path: '/entity',
      query: { entityRef: 'checkout-api' },
    });
    await record(backend, 'entity-unauthenticated', {
      path: '/entity',
      query: { entityRef: ENTITIES.exemplary },
      token: null,
    });
    await record(backend, 'definitions', { path: '/definitions' });
  } finally {
    await backend.stop();
  }
}

/** Rollups, drill-downs and trends, from a backend that has evaluated the whole catalog. */
async function recordRollups() {
  const backend = await startExampleBackend({ port: 7117, waitForRun: true });
  try {
    for (const [name, scope] of Object.entries({
      department: 'group:default/commerce',
      team: 'group:default/team-checkout',
      system: 'system:default/payments-core',
      domain: 'domain:default/payments',
    })) {
      await record(backend, `rollup-checks-${name}`, {
        path: '/rollup',
        query: { by: 'check', scope },
      });
    }
    // What the org rollup page asks for on its first render, and after a few clicks: the top
    // of the group tree, and a group with its children (scoped to it, or expanded).
    await record(backend, 'rollup-groups-all', {
      path: '/rollup',
      query: { by: 'group', scope: 'all', depth: '1' },
    });
    await record(backend, 'rollup-checks-all', {
      path: '/rollup',
      query: { by: 'check', scope: 'all' },
    });
    await record(backend, 'rollup-groups-department', {
      path: '/rollup',
      query: { by: 'group', scope: 'group:default/commerce', depth: '1' },
    });
    for (const by of ['group', 'system', 'domain']) {
      await record(backend, `rollup-${by}s-options`, {
        path: '/rollup',
        query: { by },
      });
    }
    const page = { scope: 'all', sort: 'score', pageSize: '25' };
    const first = await record(backend, 'entities-all', {
      path: '/entities',
      query: page,
    });
    await record(backend, 'entities-all-page-2', {
      path: '/entities',
      query: { ...page, cursor: first.body.nextCursor },
    });
    await record(backend, 'entities-failing-runbook', {
      path: '/entities',
      query: { ...page, failingCheck: 'runbook' },
    });
    await record(backend, 'entities-no-match', {
      path: '/entities',
      query: { ...page, q: 'no-such-entity' },
    });
    await record(backend, 'entities-csv-failing-runbook', {
      path: '/entities',
      query: {
        scope: 'all',
        sort: 'score',
        failingCheck: 'runbook',
        format: 'csv',
      },
    });
    for (const axis of ['check', 'category']) {
      await record(backend, `heatmap-${axis}-all`, {
        path: '/heatmap',
        query: { scope: 'all', axis },
      });
    }
    await record(backend, 'entities-commerce-failing-runbook', {
      path: '/entities',
      query: {
        ...page,
        scope: 'group:default/commerce',
        failingCheck: 'runbook',
      },
    });
    await record(backend, 'indicators-all', {
      path: '/indicators',
      query: { scope: 'all' },
    });
    await record(backend, 'trends-all', {
      path: '/trends',
      query: { scope: 'all', interval: 'P1D' },
    });
  } finally {
    await backend.stop();
  }
}

mkdirSync(out, { recursive: true });
for (const file of readdirSync(out)) {
  rmSync(join(out, file));
}
await recordEntities();
await recordRollups();
