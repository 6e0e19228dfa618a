/* eslint-disable no-console */
// Measures the entity page's scorecard on the example catalog: how long the backend takes to
// answer the card's one request, and how long Chromium takes from navigating to an entity page to
// the card showing its level, on the app's production build.
//
//   ./run yarn bench:entity-page            # builds the app first
//   ./run yarn bench:entity-page --no-build # uses the existing packages/app/dist
//
// It starts the example backend on port 7127 with a database of its own and waits for a full
// scorecards run before measuring. Rows are printed as a Markdown table. The example backend
// enables the permission framework (with the allow-all policy), so every request also asks the
// permission backend; BENCH_PERMISSIONS=off measures without it, as a backend without a policy
// runs.

import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from './chromium.mjs';
import { startExampleBackend } from './example-backend.mjs';

const REQUESTS = 300;
const NAVIGATIONS = 20;
const ENTITIES = [
  'checkout-api',
  'content-service',
  'cart-service',
  'payouts-service',
  'storefront-web',
];

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
}

function row(what, values, note = '') {
  const f = v => v.toFixed(1);
  return `| ${what} | ${values.length} | ${f(percentile(values, 50))} | ${f(
    percentile(values, 95),
  )} | ${f(Math.max(...values))} | ${note} |`;
}

if (!process.argv.includes('--no-build')) {
  console.error('Building the app (production build)...');
  execFileSync('yarn', ['workspace', 'app', 'build'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const backend = await startExampleBackend({
  port: 7127,
  waitForRun: true,
  config:
    process.env.BENCH_PERMISSIONS === 'off'
      ? { permission: { enabled: false } }
      : {},
});
const rows = [];
try {
  // The card's request, straight at the backend over loopback.
  const headers = { Authorization: `Bearer ${backend.token}` };
  const server = [];
  for (let i = 0; i < REQUESTS + 20; i++) {
    const ref = `component:default/${ENTITIES[i % ENTITIES.length]}`;
    const start = performance.now();
    const res = await fetch(
      `${backend.baseUrl}/api/scorecards/entity?entityRef=${encodeURIComponent(
        ref,
      )}`,
      { headers },
    );
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`GET /entity ${ref}: ${res.status}`);
    if (i >= 20) server.push(performance.now() - start); // the first 20 warm up
  }
  rows.push(
    row(
      "`GET /entity` (the card's one request), loopback round trip",
      server,
      'sequential, 5 entities in turn',
    ),
  );

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: chromiumArgs,
  });
  const page = await browser.newPage({
    viewport: { width: 1400, height: 1000 },
  });
  await page.goto(backend.baseUrl);
  await page.getByRole('button', { name: 'Enter' }).click();
  await page
    .getByText(/Components/)
    .first()
    .waitFor();

  const toLevel = [];
  const inBrowser = [];
  for (let i = 0; i < NAVIGATIONS + 2; i++) {
    const name = ENTITIES[i % ENTITIES.length];
    await page.goto(`${backend.baseUrl}/catalog/default/component/${name}`);
    await page.waitForFunction(
      () => {
        const card = document.querySelector('.scorecards-EntityScorecardCard');
        return (
          card && /Gold|Silver|Bronze|No level/.test(card.textContent ?? '')
        );
      },
      undefined,
      { polling: 'raf', timeout: 30_000 },
    );
    const timing = await page.evaluate(() => ({
      shown: performance.now(),
      request: performance
        .getEntriesByType('resource')
        .find(e => e.name.includes('/api/scorecards/entity?'))?.duration,
    }));
    if (i >= 2) {
      // The first two load the bundles into the cache.
      toLevel.push(timing.shown);
      if (timing.request !== undefined) inBrowser.push(timing.request);
    }
  }
  await browser.close();
  rows.push(
    row(
      'navigation to an entity page → the card shows its level (Chromium, production build)',
      toLevel,
      'full page load, bundles cached',
    ),
  );
  rows.push(
    row(
      "the card's request as the browser times it",
      inBrowser,
      'Resource Timing `duration`',
    ),
  );
} finally {
  await backend.stop();
}

console.log('| what | samples | p50 ms | p95 ms | max ms | notes |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
