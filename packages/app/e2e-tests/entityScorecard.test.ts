import { expect, test } from '@playwright/test';
import {
  checkItem,
  saveScreenshot,
  scorecardCard,
  scorecardContent,
  seriousViolations,
  signIn,
} from './scorecard';

const entityPage = (name: string) => `/catalog/default/component/${name}`;

/** The example catalog's dates are kept at their age from this day (see examples/README.md). */
const EXAMPLES_WRITTEN_ON = Date.UTC(2026, 10, 26);

/** A date of the example catalog as the app shows it today: moved by the days since then. */
function exampleDate(isoDate: string) {
  const today = new Date();
  const days = Math.floor(
    (Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) -
      EXAMPLES_WRITTEN_ON) /
      86_400_000,
  );
  const shifted = new Date(
    Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000,
  );
  return shifted.toLocaleDateString('en-US', {
    month: 'short',
    day: 'numeric',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test('an exemplary service shows Gold on its overview and says why on its tab', async ({
  page,
}) => {
  await page.goto(entityPage('checkout-api'));
  const card = scorecardCard(page);
  await expect(
    card.getByRole('heading', { name: 'Production readiness' }),
  ).toBeVisible();
  await expect(card.getByText('Gold', { exact: true })).toBeVisible();
  await expect(card.getByText('100 / 100')).toBeVisible();
  await expect(card.getByText('Highest level reached.')).toBeVisible();
  await expect(card.getByText('14 passing')).toBeVisible();
  await expect(card.getByText(/^Evaluated .* ago$/)).toBeVisible();
  await saveScreenshot(page, 'card-exemplary', card);

  await card.getByRole('link', { name: 'View scorecard' }).click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/checkout-api\/scorecard$/,
  );
  const content = scorecardContent(page);
  const ladder = content.getByRole('list', { name: 'Levels' });
  for (const level of ['Bronze', 'Silver', 'Gold']) {
    await expect(
      ladder.getByRole('listitem').filter({ hasText: level }).first(),
    ).toContainText('Reached');
  }
  await expect(ladder.locator('[aria-current="step"]')).toContainText('Gold');
  await expect(checkItem(page, 'Owned by a team that exists')).toContainText(
    'Owned by group:default/team-checkout, which exists.',
  );
  await saveScreenshot(page, 'tab-exemplary');
});

test('a bare service lists its failing checks with the fix and a link to edit catalog-info.yaml', async ({
  page,
}) => {
  await page.goto(entityPage('content-service'));
  const card = scorecardCard(page);
  await expect(card.getByText('No level')).toBeVisible();
  await expect(card).toContainText(
    'To reach Bronze: Alerts routed to on-call, Code is scanned for vulnerabilities',
  );
  const first = card
    .getByRole('listitem')
    .filter({ hasText: 'Alerts routed to on-call' });
  await expect(first).toContainText(
    "Route the service's alerts to an on-call rotation",
  );
  await saveScreenshot(page, 'card-bare', card);

  await first.getByRole('link', { name: 'Alerts routed to on-call' }).click();
  await expect(page).toHaveURL(
    /\/scorecard\?scorecard=production-readiness&check=on-call$/,
  );
  const onCall = checkItem(page, 'Alerts routed to on-call');
  await expect(onCall).toContainText('Fail');
  await expect(onCall).toContainText('How to fix');
  await expect(onCall.locator('pre code').first()).toContainText(
    'pagerduty.com/integration-key: a1b2c3d4e5f6',
  );
  await expect(
    onCall.getByRole('link', { name: /Edit catalog-info.yaml/ }),
  ).toHaveAttribute(
    'href',
    'https://github.com/northwind-commerce/content-service/edit/main/catalog-info.yaml',
  );

  await page.getByRole('checkbox', { name: 'Failing only' }).check();
  await expect(page).toHaveURL(/failing=true/);
  await expect(checkItem(page, 'Owned by a team that exists')).toHaveCount(0);
  await expect(onCall).toBeVisible();
  await saveScreenshot(page, 'tab-bare-failing-only');
});

test('a malformed annotation is an error that says what is wrong', async ({
  page,
}) => {
  await page.goto(`${entityPage('cart-service')}/scorecard`);
  const reviewed = checkItem(page, 'Runbook reviewed in the last 180 days');
  await expect(reviewed).toContainText('Error');
  await expect(reviewed).toContainText(
    'Malformed value: Annotation guardrails.dev/runbook-reviewed is "last spring", which is not an ISO date',
  );
  await saveScreenshot(page, 'check-malformed', reviewed);
});

test('a waived check shows its reason, expiry and who granted it', async ({
  page,
}) => {
  await page.goto(`${entityPage('payouts-service')}/scorecard`);
  const delivery = checkItem(page, 'Progressive delivery');
  await expect(delivery).toContainText('Waived');
  await expect(delivery).toContainText(
    `Waiver expires ${exampleDate('2027-03-31')}`,
  );
  await expect(delivery).toContainText(
    'granted by group:default/team-payments',
  );
  await expect(delivery).toContainText('Nightly batch with a single leader');
  await saveScreenshot(page, 'check-waived', delivery);
});

test('"Re-evaluate now" returns a fresh result', async ({ page }) => {
  await page.goto(`${entityPage('cart-service')}/scorecard`);
  const content = scorecardContent(page);
  await expect(content.getByText(/^Evaluated /).first()).toBeVisible();
  const [response] = await Promise.all([
    page.waitForResponse(
      r =>
        r.url().includes('/api/scorecards/entity/evaluate') &&
        r.request().method() === 'POST',
    ),
    content.getByRole('button', { name: 'Re-evaluate now' }).click(),
  ]);
  expect(response.status()).toBe(200);
  const fresh = await response.json();
  expect(Date.now() - Date.parse(fresh.evaluatedAt)).toBeLessThan(60_000);
  await expect(
    content.getByRole('status').filter({ hasText: /^Re-evaluated/ }),
  ).toContainText('Nothing changed since the last evaluation.');
  await saveScreenshot(page, 'tab-reevaluated');
});

test('the card and the tab have no serious or critical accessibility violation', async ({
  page,
}) => {
  for (const name of ['checkout-api', 'content-service', 'design-system']) {
    await page.goto(entityPage(name));
    await expect(scorecardCard(page).getByText(/^Evaluated /)).toBeVisible();
    expect(
      await seriousViolations(page, '.scorecards-EntityScorecardCard'),
    ).toEqual([]);

    await page.goto(`${entityPage(name)}/scorecard?na=open`);
    await expect(
      scorecardContent(page).getByRole('button', { name: 'Re-evaluate now' }),
    ).toBeVisible();
    expect(
      await seriousViolations(page, '.scorecards-EntityScorecardContent'),
    ).toEqual([]);
  }
});
