/* eslint-disable no-console */
// Measures the org rollup page (/scorecards) in Chromium on the app's production build, on the
// backend benchmarks' generated organisation (511 groups, 1,536 users, 24 domains, 288 systems and
// 10,000 components: plugins/scorecards-backend/bench/_catalog.ts) instead of the examples:
//   - first render: a navigation to /scorecards until the group tree, the heatmap, the checks
//     and the drill-down table show their data;
//   - a filter change: a level, or a failing check, chosen in the drill-down's controls, until
//     the table shows the filtered rows;
//   - a scope change: "Scope to" on a department's row of the group tree, until the tree, the
//     heatmap, the checks and the table show the department's data; and back to the whole
//     organisation with "Show the whole organisation".
// Every sample waits on concrete content: the rows each table shows (their entity refs), which
// the first pass over each view reads from the page's own answers (the group tree's roots and
// their children, the heatmap's rows, the checks, the drill-down's page) and every later pass
// compares with. Times are taken in the page: from navigation start, or from the click's event
// time, to the animation frame in which the page shows the view (so to within a frame).
//
//   ./run yarn bench:rollup-page            # builds the app first
//   ./run yarn bench:rollup-page --no-build # uses the existing packages/app/dist
//
// It writes the catalog to a temporary file, starts the example backend on port 7137 with that
// file as its only catalog location (the catalog's database in memory, as the backend benchmark
// keeps it: the catalog commits a few transactions per entity it processes), waits until the
// catalog holds every entity, runs one evaluation and waits for it, then measures. Rows are printed as a
// Markdown table with the targets; screenshots of the page go to e2e-results/ (the whole
// organisation, and with one department opened down to its teams).
//
// Environment:
//   BENCH_COMPONENTS  components to generate (default 10000)
//   BENCH_SAMPLES     samples per row (default 20)

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from './chromium.mjs';
import { startExampleBackend, waitFor } from './example-backend.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const COMPONENTS = Number(process.env.BENCH_COMPONENTS ?? 10_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 20);
const PORT = 7137;
const TASK_ID = 'scorecards-evaluate';

const log = message => console.error(`[bench:rollup-page] ${message}`);

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
}

function row(what, values, target, note = '') {
  const f = v => v.toFixed(0);
  return `| ${what} | ${values.length} | ${f(percentile(values, 50))} | ${f(
    percentile(values, 95),
  )} | ${f(Math.max(...values))} | ${target} | ${note} |`;
}

// ---------------------------------------------------------------------------------------------
// The catalog and the backend
// ---------------------------------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'scorecards-rollup-page-'));
const catalogFile = join(dir, 'catalog.yaml');
log(`generating ${COMPONENTS} components into ${catalogFile}`);
const counts = JSON.parse(
  execFileSync(
    'node',
    [
      '--require',
      '@backstage/cli/config/nodeTransform.cjs',
      'bench/catalog-file.ts',
      catalogFile,
      String(COMPONENTS),
    ],
    { cwd: join(root, 'plugins/scorecards-backend'), encoding: 'utf8' },
  ),
);
log(`generated ${JSON.stringify(counts)}`);

if (!process.argv.includes('--no-build')) {
  log('building the app (production build)...');
  execFileSync('yarn', ['workspace', 'app', 'build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

// The catalog's database in memory; a file of its own, since `config` replaces whole top-level
// keys of the example backend's settings and this one sits deep inside `backend`.
const databaseConfig = join(dir, 'app-config.database.json');
writeFileSync(
  databaseConfig,
  JSON.stringify({
    backend: { database: { plugin: { catalog: { connection: ':memory:' } } } },
  }),
);

let lastProgress = 0;
const backend = await startExampleBackend({
  port: PORT,
  configFiles: [databaseConfig],
  config: {
    catalog: {
      // The generated file is the only location; the example catalog is not loaded.
      locations: [
        {
          type: 'file',
          target: catalogFile,
          rules: [
            { allow: ['Component', 'System', 'Domain', 'Group', 'User'] },
          ],
        },
      ],
      // No reprocessing while the page is measured.
      processingInterval: { minutes: 30 },
    },
    // Evaluation runs when the benchmark triggers it, so none runs during the measurements.
    scorecards: {
      schedule: { frequency: { trigger: 'manual' }, timeout: { minutes: 15 } },
    },
  },
  catalog: {
    what: `the catalog to hold the ${Object.values(counts).reduce(
      (a, b) => a + b,
    )} generated entities`,
    ready: async (baseUrl, headers) => {
      const have = {};
      for (const kind of Object.keys(counts)) {
        const res = await fetch(
          `${baseUrl}/api/catalog/entities/by-query?filter=kind=${kind}&fields=kind&limit=1`,
          { headers },
        );
        if (!res.ok) return false;
        have[kind] = (await res.json()).totalItems;
      }
      if (Date.now() - lastProgress > 20_000) {
        lastProgress = Date.now();
        log(`catalog: ${JSON.stringify(have)}`);
      }
      return Object.entries(counts).every(([kind, n]) => have[kind] === n);
    },
    timeoutMs: 30 * 60_000,
  },
});

const rows = [];
let summary = '';
try {
  const headers = { Authorization: `Bearer ${backend.token}` };
  const api = async path => {
    const res = await fetch(`${backend.baseUrl}${path}`, { headers });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
    return res.json();
  };

  // One evaluation over the whole catalog, through the scheduler's own endpoint.
  const triggeredAt = Date.now();
  const trigger = await fetch(
    `${backend.baseUrl}/api/scorecards/.backstage/scheduler/v1/tasks/${TASK_ID}/trigger`,
    { method: 'POST', headers },
  );
  if (!trigger.ok) throw new Error(`triggering a run: ${trigger.status}`);
  const run = await waitFor(
    'the scorecards run over the generated catalog',
    async () => {
      const { items } = await api('/api/scorecards/runs?limit=5');
      const mine = items.find(r => Date.parse(r.startedAt) >= triggeredAt);
      if (mine?.status === 'failed') {
        throw new Error(`the run failed: ${mine.error ?? ''}`);
      }
      return mine?.status === 'succeeded' && mine;
    },
    15 * 60_000,
  );
  const whole = await api('/api/scorecards/rollup?by=group&scope=all');
  summary = `${whole.summary.entities} entities scored in ${
    run.durationMs ?? '?'
  } ms; tree roots: ${whole.groups
    .map(g => `${g.title} (${g.children.length} children)`)
    .join(', ')}`;
  log(summary);
  const departments = whole.groups
    .flatMap(g => g.children)
    .filter(g => g.ref.startsWith('group:default/dept-'));
  if (departments.length === 0) throw new Error('no department in the tree');

  // -------------------------------------------------------------------------------------------
  // The browser
  // -------------------------------------------------------------------------------------------

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: chromiumArgs,
  });
  const page = await browser.newPage({
    viewport: { width: 1400, height: 1000 },
  });
  // The time of the last click, in the page's clock, before React handles it.
  await page.addInitScript(() => {
    document.addEventListener(
      'click',
      event => {
        window.__benchClickAt = event.timeStamp;
      },
      true,
    );
  });
  await page.goto(backend.baseUrl);
  await page.getByRole('button', { name: 'Enter' }).click();
  await page
    .getByText(/Components/)
    .first()
    .waitFor();

  const content = page.locator('.scorecards-ScorecardsPage');

  /**
   * In the page: the rows each of the tables `names` shows, by table name (each row's data-ref,
   * or its text; null for a table not shown), and as `Total` the drill-down's count ("N
   * entities"). With `expected`, instead: the time the page shows exactly those, or false while
   * it does not.
   */
  const inPage = ([names, expected]) => {
    const rootEl = document.querySelector('.scorecards-ScorecardsPage');
    const tables = {};
    for (const name of names) {
      if (name === 'Total') {
        tables.Total =
          [...(rootEl?.querySelectorAll('[role="status"]') ?? [])]
            .map(e => e.textContent)
            .find(text => /^\d+ entit/.test(text)) ?? null;
        continue;
      }
      const table = rootEl?.querySelector(`table[aria-label="${name}"]`);
      tables[name] = table
        ? [...table.querySelectorAll(':scope > tbody > tr')].map(
            r => r.getAttribute('data-ref') ?? r.textContent,
          )
        : null;
    }
    if (!expected) return tables;
    return (
      names.every(
        name => JSON.stringify(tables[name]) === JSON.stringify(expected[name]),
      ) && performance.now()
    );
  };
  const readTables = names => page.evaluate(inPage, [names]);
  const waitShows = async expected =>
    (
      await page.waitForFunction(inPage, [Object.keys(expected), expected], {
        polling: 'raf',
        timeout: 60_000,
      })
    ).jsonValue();
  const showsNow = async expected =>
    Boolean(await page.evaluate(inPage, [Object.keys(expected), expected]));

  /**
   * What a view shows, from the page's own answers to `action`: the rows of each table the
   * answers fill in, once the page shows them all.
   */
  async function record(action, answers) {
    const bodies = Object.fromEntries(
      Object.entries(answers).map(([name, [path, has]]) => [
        name,
        page
          .waitForResponse(
            response => {
              const url = new URL(response.url());
              return (
                url.pathname === `/api/scorecards${path}` &&
                Object.entries(has).every(
                  ([k, v]) => url.searchParams.get(k) === v,
                )
              );
            },
            { timeout: 60_000 },
          )
          .then(r => r.json()),
      ]),
    );
    await action();
    const expected = {};
    for (const [name, body] of Object.entries(bodies)) {
      const answer = await body;
      if (name === 'Groups') {
        expected.Groups = answer.groups.flatMap(g => [
          g.ref,
          ...g.children.map(c => c.ref),
        ]);
      } else if (name === 'Heatmap') {
        expected.Heatmap = answer.rows.map(r => r.ref);
      } else if (name === 'Entities') {
        expected.Entities =
          answer.total > 0 ? answer.items.map(i => i.entityRef) : null;
      }
    }
    const shownAt = await waitShows(expected);
    if ('Checks' in answers) {
      const checks = await bodies.Checks;
      await waitFor(
        'the checks table',
        async () =>
          (await readTables(['Checks'])).Checks?.length === checks.rows.length,
        60_000,
      );
    }
    // The checks rows have no ref: their text, as the page shows it; the count, as it says it.
    const more = await readTables([
      ...('Checks' in answers ? ['Checks'] : []),
      ...('Entities' in answers ? ['Total'] : []),
    ]);
    return { view: { ...expected, ...more }, shownAt };
  }

  /** Clicks, and the time from the click's event to the frame that shows `expected`. */
  async function timeClick(locator, expected) {
    if (await showsNow(expected)) {
      throw new Error('the page already shows the view it is to change to');
    }
    await page.evaluate(() => {
      window.__benchClickAt = undefined;
    });
    await locator.click();
    const shownAt = await waitShows(expected);
    const clickAt = await page.evaluate(() => window.__benchClickAt);
    if (clickAt === undefined) throw new Error('the click was not seen');
    return shownAt - clickAt;
  }

  const wholeAnswers = {
    Groups: ['/rollup', { by: 'group', scope: 'all' }],
    Heatmap: ['/heatmap', { scope: 'all' }],
    Checks: ['/rollup', { by: 'check', scope: 'all' }],
    Entities: ['/entities', { scope: 'all' }],
  };

  // (1) First render. The first navigation also fills the backend's caches: apart.
  const { view: wholeView, shownAt: firstVisit } = await record(async () => {
    await page.goto(`${backend.baseUrl}/scorecards`, { waitUntil: 'commit' });
  }, wholeAnswers);
  log(
    `whole organisation: ${wholeView.Groups.length} tree rows, ${wholeView.Heatmap.length} heatmap rows, ${wholeView.Checks.length} checks, ${wholeView.Entities?.length} entity rows`,
  );
  // The app scrolls inside its content, not the document: how tall that content is.
  const contentHeight = () =>
    page.evaluate(() =>
      Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight)),
    );
  const layout = async () => {
    const heatmap = await page.evaluate(() => {
      const table = document.querySelector(
        '.scorecards-ScorecardsPage table[aria-label="Heatmap"]',
      );
      return `${table?.scrollWidth} px wide in ${table?.parentElement?.clientWidth} px`;
    });
    return `content ${await contentHeight()} px tall; heatmap ${heatmap}`;
  };
  /** A screenshot of the whole page, in a window as tall as its content. */
  const screenshot = async name => {
    const viewport = page.viewportSize();
    await page.setViewportSize({
      width: viewport.width,
      height: Math.min(await contentHeight(), 16_000),
    });
    await page.screenshot({ path: join(root, 'e2e-results', name) });
    await page.setViewportSize(viewport);
  };
  log(`whole organisation: ${await layout()}`);
  mkdirSync(join(root, 'e2e-results'), { recursive: true });
  await screenshot('rollup-page-large.png');
  // And with one department opened down to its teams, as a reader drilling into it sees it.
  const opened = [];
  const open = node => {
    if (node.children.length === 0) return;
    opened.push(node.ref);
    node.children.forEach(open);
  };
  open(departments[0]);
  await page.goto(
    `${backend.baseUrl}/scorecards?expanded=${encodeURIComponent(
      opened.join(','),
    )}`,
    { waitUntil: 'commit' },
  );
  await waitFor(
    `the tree with ${departments[0].title} open`,
    async () =>
      (await readTables(['Groups'])).Groups?.length > wholeView.Groups.length,
    60_000,
  );
  await waitShows({ Entities: wholeView.Entities });
  log(
    `${departments[0].title} opened: ${
      (await readTables(['Groups'])).Groups.length
    } tree rows, ${await layout()}`,
  );
  await screenshot('rollup-page-large-opened.png');

  const firstRender = [];
  for (let i = 0; i < SAMPLES; i++) {
    await page.goto(`${backend.baseUrl}/scorecards`, { waitUntil: 'commit' });
    firstRender.push(await waitShows(wholeView));
  }
  rows.push(
    row(
      'first render: navigation to /scorecards → tree, heatmap, checks and table show their rows',
      firstRender,
      '< 1000',
      `full page load, bundles cached; the first visit (the backend's caches cold) took at most ${firstVisit.toFixed(
        0,
      )} ms`,
    ),
  );

  // (2) Filter changes through the drill-down's selects: three options in turn, then Any.

  const levelSelect = content.locator(
    '[role="button"][aria-labelledby^="scorecards-filter-level-label"]',
  );
  const checkSelect = content.locator(
    '[role="button"][aria-labelledby^="scorecards-filter-check-label"]',
  );
  /** The options of a select, without "Any". */
  const optionsOf = async select => {
    await select.click();
    const options = await page
      .getByRole('listbox')
      .getByRole('option')
      .evaluateAll(os =>
        os.map(o => ({
          label: o.textContent,
          value: o.getAttribute('data-value'),
        })),
      );
    await page.keyboard.press('Escape');
    await page.getByRole('listbox').waitFor({ state: 'detached' });
    return options.filter(o => o.value);
  };

  const differs = (a, b) => JSON.stringify(a) !== JSON.stringify(b);

  async function measureFilter(select, param, what) {
    const any = { label: 'Any', value: '' };
    const choose = option => async () => {
      await select.click();
      await page
        .getByRole('listbox')
        .getByRole('option', { name: option.label, exact: true })
        .click();
    };
    const recordOption = async option =>
      (
        await record(choose(option), {
          Entities: [
            '/entities',
            option.value ? { [param]: option.value } : {},
          ],
        })
      ).view;
    // The first pass reads each view from the page's answers: three options, each showing
    // other rows than the one before it (the worst entities fail many checks, so two checks'
    // first pages can be the same), then Any.
    const anyView = { Entities: wholeView.Entities, Total: wholeView.Total };
    const cycle = [];
    const views = [];
    for (const option of await optionsOf(select)) {
      const view = await recordOption(option);
      const last = views.length === 2;
      if (
        differs(view, views.at(-1) ?? anyView) &&
        (!last || differs(view, anyView))
      ) {
        cycle.push(option);
        views.push(view);
        if (cycle.length === 3) break;
      }
    }
    if (cycle.length === 0) throw new Error(`no ${what} changes the rows`);
    if (differs(await recordOption(any), anyView)) {
      throw new Error(`Any ${what} does not show the whole organisation`);
    }
    cycle.push(any);
    views.push(anyView);
    const times = [];
    for (let i = 0; times.length < SAMPLES; i++) {
      const n = i % cycle.length;
      const option = cycle[n];
      await select.click();
      times.push(
        await timeClick(
          page
            .getByRole('listbox')
            .getByRole('option', { name: option.label, exact: true }),
          views[n],
        ),
      );
    }
    rows.push(
      row(
        `filter change: ${what} in the drill-down → the table shows the filtered rows`,
        times,
        '< 300 (budget < 1000)',
        `${cycle.map(o => o.label).join(' → ')} in turn, whole organisation`,
      ),
    );
  }

  await page.goto(`${backend.baseUrl}/scorecards`, { waitUntil: 'commit' });
  await waitShows(wholeView);
  await measureFilter(levelSelect, 'level', 'a level');
  await measureFilter(checkSelect, 'failingCheck', 'a failing check');

  // (3) Scope changes: a department from the tree, and back to the whole organisation.
  await page.goto(`${backend.baseUrl}/scorecards`, { waitUntil: 'commit' });
  await waitShows(wholeView);
  const scopeTo = department =>
    content.getByRole('table', { name: 'Groups' }).getByRole('button', {
      name: `Scope to ${department.title}`,
      exact: true,
    });
  const back = content.getByRole('button', {
    name: 'Show the whole organisation',
  });
  const departmentViews = [];
  for (const department of departments) {
    const scope = department.ref;
    const { view } = await record(() => scopeTo(department).click(), {
      Groups: ['/rollup', { by: 'group', scope }],
      Heatmap: ['/heatmap', { scope }],
      Checks: ['/rollup', { by: 'check', scope }],
      Entities: ['/entities', { scope }],
    });
    departmentViews.push(view);
    await back.click();
    await waitShows(wholeView);
  }
  log(
    `${departments[0].title}: ${departmentViews[0].Groups.length} tree rows, ${departmentViews[0].Heatmap.length} heatmap rows, ${departmentViews[0].Entities?.length} entity rows`,
  );
  const toDepartment = [];
  const toWhole = [];
  for (let i = 0; i < SAMPLES; i++) {
    const n = i % departments.length;
    toDepartment.push(
      await timeClick(scopeTo(departments[n]), departmentViews[n]),
    );
    toWhole.push(await timeClick(back, wholeView));
  }
  rows.push(
    row(
      'scope change: "Scope to" a department in the tree → tree, heatmap, checks and table show it',
      toDepartment,
      '< 1000',
      `the ${departments.length} departments in turn`,
    ),
  );
  rows.push(
    row(
      'scope change: "Show the whole organisation" → tree, heatmap, checks and table show it',
      toWhole,
      '< 1000',
      'back from each department',
    ),
  );

  await browser.close();
} finally {
  await backend.stop();
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  `Rollup page on ${COMPONENTS} generated components (${Object.entries(counts)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ')}): ${summary}\n`,
);
console.log(
  '| what | samples | p50 ms | p95 ms | max ms | target ms | notes |',
);
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
