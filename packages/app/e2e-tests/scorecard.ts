import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';

/** Signs in as the guest, as a newcomer does on the app's sign-in page. */
export async function signIn(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(
    page.getByText(/All Components|Components/).first(),
  ).toBeVisible();
}

/** The scorecard card on an entity's overview. */
export function scorecardCard(page: Page) {
  return page.locator('.scorecards-EntityScorecardCard');
}

/** The scorecard tab's content. */
export function scorecardContent(page: Page) {
  return page.locator('.scorecards-EntityScorecardContent');
}

/** The list item of one check on the scorecard tab, by its title. */
export function checkItem(page: Page, title: string) {
  return scorecardContent(page).getByRole('listitem', {
    name: title,
    exact: true,
  });
}

/** Saves a screenshot under e2e-results/screenshots. */
export async function saveScreenshot(
  page: Page,
  name: string,
  target?: ReturnType<Page['locator']>,
) {
  mkdirSync('e2e-results/screenshots', { recursive: true });
  const path = `e2e-results/screenshots/${name}.png`;
  if (target) {
    await target.screenshot({ path });
  } else {
    await page.screenshot({ path, fullPage: true });
  }
}

/** axe-core's serious and critical findings inside the plugin's own content. */
export async function seriousViolations(page: Page, selector: string) {
  const results = await new AxeBuilder({ page }).include(selector).analyze();
  return results.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map(
        n => `${n.target.join(' ')}: ${n.html} (${n.failureSummary})`,
      ),
    }));
}
