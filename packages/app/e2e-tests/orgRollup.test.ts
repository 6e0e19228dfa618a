import { expect, test, type Page, type Response } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { saveScreenshot, seriousViolations, signIn } from './scorecard';

interface GroupNode {
  ref: string;
  title: string;
  entities: number;
  ownEntities: number;
  averageScore: number | null;
  failing: number;
  own: { entities: number; averageScore: number | null; failing: number };
  categories: Array<{ category: string; passRate: number | null }>;
  children: GroupNode[];
}

const content = (page: Page) => page.locator('.scorecards-ScorecardsPage');
const treeRow = (page: Page, ref: string) =>
  content(page)
    .getByRole('table', { name: 'Groups' })
    .locator(`tr[data-ref="${ref}"]`);
const entityRows = (page: Page) =>
  content(page).getByRole('table', { name: 'Entities' }).locator('tbody tr');

/** The answer the page's own request got from the backend. */
function answer(page: Page, path: string, has: Record<string, string> = {}) {
  return page.waitForResponse((response: Response) => {
    const url = new URL(response.url());
    return (
      url.pathname === `/api/scorecards${path}` &&
      Object.entries(has).every(([k, v]) => url.searchParams.get(k) === v)
    );
  });
}

async function expectNode(page: Page, node: GroupNode) {
  const cells = treeRow(page, node.ref).locator('td');
  await expect(cells.nth(0)).toHaveText(String(node.entities));
  // What the group owns directly, apart from its children: how many, and how they stand.
  await expect(cells.nth(1)).toHaveText(
    node.own.entities > 0
      ? `${node.own.entities}average ${node.own.averageScore ?? '–'} · ${
          node.own.failing
        } failing`
      : '0',
  );
  await expect(cells.nth(2)).toHaveText(String(node.averageScore ?? '–'));
  await expect(cells.nth(4)).toHaveText(String(node.failing));
  // The pass rate per category, over the group and every group below it.
  await expect(cells.nth(5).locator('li')).toHaveText(
    node.categories.map(c =>
      c.passRate === null ? /–/ : new RegExp(`${c.passRate}%$`),
    ),
  );
}

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test("the org rollup page shows the example org's departments and teams with the backend's numbers", async ({
  page,
}) => {
  // The page asks for the top of the tree, then for each group's children as it expands.
  const tree = answer(page, '/rollup', {
    by: 'group',
    scope: 'all',
    depth: '1',
  });
  await page
    .getByRole('navigation')
    .getByRole('link', { name: 'Scorecards', exact: true })
    .click();
  const body = await (await tree).json();
  const [org] = body.groups as GroupNode[];
  await expect(content(page).getByText('The whole organisation')).toBeVisible();
  await expect(
    content(page).getByText('entities scored').locator('xpath=..'),
  ).toContainText(String(body.summary.entities));
  for (const department of org.children) {
    await expectNode(page, department);
  }
  const expand = async (node: GroupNode) => {
    const children = answer(page, '/rollup', {
      by: 'group',
      scope: node.ref,
      depth: '1',
    });
    await content(page)
      .getByRole('button', { name: `Show the groups in ${node.title}` })
      .click();
    const [expanded] = (await (await children).json()).groups as GroupNode[];
    // The group as its own answer counts it is as the tree above it counted it.
    expect(expanded.entities).toBe(node.entities);
    expect(expanded.failing).toBe(node.failing);
    expect(expanded.children.length).toBeGreaterThan(0);
    for (const child of expanded.children) {
      await expectNode(page, child);
    }
    return expanded.children;
  };
  const commerce = org.children.find(d => d.ref === 'group:default/commerce')!;
  expect(commerce.children).toEqual([]);
  const [area] = await expand(commerce);
  await expand(area);
  await saveScreenshot(page, 'rollup-page');
  expect(await seriousViolations(page, '.scorecards-ScorecardsPage')).toEqual(
    [],
  );
});

test('a failing check drills down to exactly the services failing it, and the CSV holds exactly the filtered rows', async ({
  page,
}) => {
  const checks = answer(page, '/rollup', { by: 'check', scope: 'all' });
  await page.goto('/scorecards');
  const runbook = (await (await checks).json()).rows.find(
    (r: { checkId: string }) => r.checkId === 'runbook',
  );
  const drill = answer(page, '/entities', { failingCheck: 'runbook' });
  await content(page)
    .getByRole('button', {
      name: `Show failing Runbook linked: ${runbook.failing} entities`,
    })
    .click();
  const page1 = await (await drill).json();
  expect(page1.total).toBe(runbook.failing);
  await expect(entityRows(page)).toHaveCount(page1.items.length);
  const shown = await entityRows(page).evaluateAll(rows =>
    rows.map(r => r.getAttribute('data-ref')),
  );
  expect(shown).toEqual(
    page1.items.map((i: { entityRef: string }) => i.entityRef),
  );
  for (const item of page1.items) {
    expect(item.failing).toContain('runbook');
  }
  await expect(page).toHaveURL(/check=runbook/);

  const download = page.waitForEvent('download');
  await content(page).getByRole('button', { name: 'Export CSV' }).click();
  const file = await (await download).path();
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  expect(header.split(',')[0]).toBe('entityRef');
  expect(lines.map(l => l.split(',')[0])).toEqual(shown);
});

test('a heatmap cell drills down to exactly the services of that group failing that check', async ({
  page,
}) => {
  const heat = answer(page, '/heatmap', { scope: 'all', axis: 'check' });
  await page.goto('/scorecards');
  const heatmap = await (await heat).json();
  const row = heatmap.rows.find(
    (r: { ref: string }) => r.ref === 'group:default/commerce',
  );
  const index = heatmap.columns.findIndex(
    (c: { id: string }) => c.id === 'runbook',
  );
  const cell = row.cells[index];
  expect(cell.fail).toBeGreaterThan(0);
  const table = content(page).getByRole('table', { name: 'Heatmap' });
  const button = table
    .locator('tr[data-ref="group:default/commerce"] td[data-column="runbook"]')
    .getByRole('button');
  await expect(button).toContainText(`${cell.passRate}%`);
  await saveScreenshot(page, 'rollup-heatmap', table);

  const drill = answer(page, '/entities', {
    scope: 'group:default/commerce',
    failingCheck: 'runbook',
  });
  await button.click();
  const body = await (await drill).json();
  expect(body.total).toBe(cell.fail);
  await expect(entityRows(page)).toHaveCount(body.items.length);
  const shown = await entityRows(page).evaluateAll(rows =>
    rows.map(r => r.getAttribute('data-ref')),
  );
  expect(shown).toEqual(
    body.items.map((i: { entityRef: string }) => i.entityRef),
  );
  for (const item of body.items) {
    expect(item.failing).toContain('runbook');
  }
  await expect(page).toHaveURL(/scope=group%3Adefault%2Fcommerce/);

  // The switch to all of the group's entities.
  await content(page)
    .getByRole('button', { name: 'Show all entities' })
    .click();
  await expect(page).not.toHaveURL(/check=/);
  await expect(
    content(page)
      .getByRole('status')
      .filter({ hasText: new RegExp(`^${row.entities} entities$`) }),
  ).toBeVisible();
});

test('a copied URL restores the same view in a fresh page', async ({
  page,
  browser,
}) => {
  await page.goto('/scorecards');
  await content(page)
    .getByRole('button', { name: 'Scope to Commerce' })
    .click();
  await expect(content(page).getByText('Scope:')).toBeVisible();
  await content(page)
    .getByRole('button', { name: /^Show the groups in / })
    .first()
    .click();
  await content(page)
    .getByRole('button', { name: /^Level (Any|Bronze|Silver|Gold)/ })
    .click();
  await page.getByRole('option', { name: 'Bronze' }).click();
  await content(page)
    .getByRole('table', { name: 'Entities' })
    .getByRole('button', { name: 'Entity' })
    .click();
  await expect(page).toHaveURL(/sort=name/);
  await expect(entityRows(page).first()).toBeVisible();
  const url = page.url();
  const view = async (p: Page) => ({
    heading: await content(p).locator('h2').first().innerText(),
    tree: await content(p)
      .getByRole('table', { name: 'Groups' })
      .locator('tbody tr')
      .evaluateAll(rows => rows.map(r => r.textContent)),
    entities: await entityRows(p).evaluateAll(rows =>
      rows.map(r => r.getAttribute('data-ref')),
    ),
  });
  const before = await view(page);
  expect(before.entities.length).toBeGreaterThan(0);

  const fresh = await (await browser.newContext()).newPage();
  await signIn(fresh);
  await fresh.goto(url);
  await expect(entityRows(fresh)).toHaveCount(before.entities.length);
  await expect(
    content(fresh).getByRole('table', { name: 'Groups' }).locator('tbody tr'),
  ).toHaveCount(before.tree.length);
  expect(await view(fresh)).toEqual(before);
  await fresh.context().close();

  await page.goBack();
  await expect(page).not.toHaveURL(/sort=name/);
});

test("a team's and a department's pages show their rollup cards, the department's counting its teams' entities", async ({
  page,
}) => {
  // The numbers the org rollup page shows for the department and, scoped to it, the team.
  const tree = answer(page, '/rollup', {
    by: 'group',
    scope: 'all',
    depth: '1',
  });
  await page.goto('/scorecards');
  const [org] = (await (await tree).json()).groups as GroupNode[];
  const commerce = org.children.find(d => d.ref === 'group:default/commerce')!;
  const teamRef = 'group:default/team-checkout';
  const scoped = answer(page, '/rollup', {
    by: 'group',
    scope: teamRef,
    depth: '1',
  });
  await page.goto(`/scorecards?scope=${encodeURIComponent(teamRef)}`);
  const [team] = (await (await scoped).json()).groups as GroupNode[];
  expect(team.ref).toBe(teamRef);

  for (const [name, node] of [
    ['commerce', commerce],
    ['team-checkout', team],
  ] as const) {
    await page.goto(`/catalog/default/group/${name}`);
    const card = page.locator('.scorecards-EntityScorecardRollupCard');
    await expect(card.getByText('entities scored')).toBeVisible();
    await expect(
      card.getByText('entities scored').locator('xpath=..'),
    ).toContainText(String(node.entities));
    await expect(
      card.getByText('average score').locator('xpath=..'),
    ).toContainText(String(node.averageScore));
    await saveScreenshot(page, `rollup-card-${name}`, card);
    expect(
      await seriousViolations(page, '.scorecards-EntityScorecardRollupCard'),
    ).toEqual([]);
  }
  expect(commerce.entities).toBeGreaterThan(team.entities);
  expect(commerce.ownEntities).toBe(0);

  await page
    .locator('.scorecards-EntityScorecardRollupCard')
    .getByRole('link', { name: 'Open the rollup' })
    .click();
  await expect(page).toHaveURL(/\/scorecards\?scope=group/);
  await expect(treeRow(page, team.ref)).toBeVisible();
});
