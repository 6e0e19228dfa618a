import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { identityApiRef } from '@backstage/core-plugin-api';
import {
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import type {
  IndicatorsResponse,
  EntitiesPageResponse,
  GroupRollupNode,
  HeatmapResponse,
  RollupResponse,
} from '@guardrails/plugin-scorecards-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse, type HttpHandler } from 'msw';
import { setupServer } from 'msw/node';
import { useLocation } from 'react-router-dom';
import { scorecardsApiRef } from '../../api';
import {
  backendError,
  failingOnce,
  recordedHandlers,
  recordings,
  TEST_BASE_URL,
  type Recording,
} from '../../__testUtils__/recordings';
import {
  handMadeIndicators,
  handMadeTrends,
} from '../../__testUtils__/handMade';
import { testClient } from '../../__testUtils__/renderEntity';
import { rootRouteRef } from '../../routes';
import { ScorecardsPage } from './ScorecardsPage';

// The page renders every section at once, which takes a few seconds in jsdom, and the first
// test also expands a group through its loading, error and retry states: on a machine busy
// with other work that took over 30 s once.
jest.setTimeout(60_000);

const server = setupServer();
registerMswTestHooks(server);

type GroupRollup = Extract<RollupResponse, { by: 'group' }>;
const heatmap = recordings.heatmapCheckAll.response
  .body as unknown as HeatmapResponse;
const org = recordings.rollupGroupsAll.response.body as unknown as GroupRollup;
const commerceRollup = recordings.rollupGroupsDepartment.response
  .body as unknown as GroupRollup;
const failingRunbook = recordings.entitiesFailingRunbook.response
  .body as unknown as EntitiesPageResponse;

/** What the page asks for on its first render of the whole organisation. */
const FIRST_RENDER: Recording[] = [
  recordings.definitions,
  recordings.rollupGroupsAll,
  recordings.rollupChecksAll,
  recordings.entitiesAll,
  recordings.trendsAll,
  recordings.heatmapCheckAll,
];

let search = '';
function LocationSpy() {
  search = useLocation().search;
  return null;
}
const params = () => new URLSearchParams(search);

async function renderPage(
  url = '/scorecards',
  chosen = FIRST_RENDER,
  before: HttpHandler[] = [],
  teams: string[] = [],
) {
  // Headline indicators answer by hand unless a test chose their recording.
  const indicators = http.get(`${TEST_BASE_URL}/indicators`, ({ request }) =>
    HttpResponse.json(
      handMadeIndicators(
        new URL(request.url).searchParams.get('scope') ?? 'all',
      ),
    ),
  );
  server.use(
    ...before,
    ...recordedHandlers(chosen),
    ...(chosen.includes(recordings.indicatorsAll) ? [] : [indicators]),
  );
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [scorecardsApiRef, testClient()],
        [
          identityApiRef,
          mockApis.identity({
            userEntityRef: 'user:default/amara.okafor',
            ownershipEntityRefs: ['user:default/amara.okafor', ...teams],
          }),
        ],
      ]}
    >
      <ScorecardsPage />
      <LocationSpy />
    </TestApiProvider>,
    {
      routeEntries: [url],
      mountedRoutes: {
        '/scorecards': rootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}

function treeRow(title: string) {
  const tree = screen.getByRole('table', { name: 'Groups' });
  return within(tree)
    .getAllByRole('row')
    .find(row => within(row).queryByText(title, { exact: true }));
}

describe('ScorecardsPage', () => {
  it("shows the organisation's figures and its departments with the backend's numbers, teams on demand", async () => {
    await renderPage();

    expect(
      await screen.findByText('The whole organisation'),
    ).toBeInTheDocument();
    const summary = await screen.findByText('entities scored');
    expect(summary.previousSibling).toHaveTextContent(
      String(org.summary.entities),
    );
    expect(
      screen.getAllByRole('img', {
        name: `Gold ${org.summary.levels.Gold}, Silver ${org.summary.levels.Silver}, Bronze ${org.summary.levels.Bronze}, No level ${org.summary.levels.none}`,
      }).length,
    ).toBeGreaterThan(0);

    await screen.findByRole('table', { name: 'Groups' });
    const departments = org.groups[0].children;
    for (const department of departments) {
      const row = treeRow(department.title)!;
      // Group, entities, owned directly, average score, levels, failing.
      const cells = within(row).getAllByRole('cell');
      expect(cells[0]).toHaveTextContent(department.title);
      expect(cells[1]).toHaveTextContent(
        new RegExp(`^${department.entities}$`),
      );
      // What it owns directly, and (from a backend that says) how that stands.
      expect(cells[2]).toHaveTextContent(
        new RegExp(`^${department.ownEntities}(\\D|$)`),
      );
      expect(cells[3]).toHaveTextContent(
        new RegExp(`^${department.averageScore}$`),
      );
      expect(cells[5]).toHaveTextContent(new RegExp(`^${department.failing}$`));
    }
    // The first answer holds the departments, not the groups below them.
    const commerce = departments.find(d => d.title === 'Commerce')!;
    expect(commerce.children).toEqual([]);
    expect(commerce.hasChildren).toBe(true);
    const [area] = (commerceRollup.groups[0] as GroupRollupNode).children;
    expect(treeRow(area.title)).toBeUndefined();

    // Expanding it asks for its groups, one level, says so while they come, and offers a retry
    // when they do not.
    const children = failingOnce('/rollup', () => commerceRollup);
    server.use(children.handler);
    await userEvent.click(
      screen.getByRole('button', { name: 'Show the groups in Commerce' }),
    );
    expect(params().get('expanded')).toBe(commerce.ref);
    expect(
      await screen.findByRole('status', {
        name: 'Loading the groups in Commerce',
      }),
    ).toBeInTheDocument();
    children.answer();
    expect(
      await screen.findByText('Could not load the groups in Commerce'),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(treeRow(area.title)).toBeDefined());
    expect(children.requests()).toEqual([
      expect.objectContaining({
        by: 'group',
        scope: commerce.ref,
        depth: '1',
      }),
      expect.objectContaining({ scope: commerce.ref, depth: '1' }),
    ]);
    const cells = within(treeRow(area.title)!).getAllByRole('cell');
    expect(cells[1]).toHaveTextContent(new RegExp(`^${area.entities}$`));
    expect(
      screen.getByRole('button', { name: 'Hide the groups in Commerce' }),
    ).toHaveAttribute('aria-expanded', 'true');
    // Its own groups come when it is expanded in turn.
    expect(
      screen.getByRole('button', { name: `Show the groups in ${area.title}` }),
    ).toHaveAttribute('aria-expanded', 'false');
  });

  it('drills down from a check to the entities failing it, and exports exactly those as CSV', async () => {
    await renderPage('/scorecards', [
      ...FIRST_RENDER,
      recordings.entitiesFailingRunbook,
      recordings.entitiesCsvFailingRunbook,
    ]);
    const checks = await screen.findByRole('table', { name: 'Checks' });
    await userEvent.click(
      within(checks).getByRole('button', {
        name: `Show failing Runbook linked: ${failingRunbook.total} entities`,
      }),
    );
    expect(params().get('check')).toBe('runbook');
    const table = await screen.findByRole('table', { name: 'Entities' });
    await waitFor(() =>
      expect(within(table).getAllByRole('row')).toHaveLength(
        failingRunbook.items.length + 1,
      ),
    );
    expect(
      within(table)
        .getAllByRole('row')
        .slice(1)
        .map(row => row.getAttribute('data-ref')),
    ).toEqual(failingRunbook.items.map(i => i.entityRef));
    expect(
      screen.getByText(`${failingRunbook.total} entities`),
    ).toBeInTheDocument();

    let saved: Blob | undefined;
    URL.createObjectURL = jest.fn((blob: Blob) => {
      saved = blob;
      return 'blob:scorecards';
    });
    URL.revokeObjectURL = jest.fn();
    await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    await waitFor(() => expect(saved).toBeDefined());
    const csv = await saved!.text();
    expect(csv).toBe(recordings.entitiesCsvFailingRunbook.response.body);
    const rows = csv.trim().split(/\r?\n/).slice(1);
    expect(rows.map(r => r.split(',')[0])).toEqual(
      failingRunbook.items.map(i => i.entityRef),
    );
  });

  it('restores a page of the drill-down from its URL, and goes back to the first page when a filter changes', async () => {
    const second = recordings.entitiesAllPage2.response
      .body as unknown as EntitiesPageResponse;
    const cursor = recordings.entitiesAllPage2.request.query.cursor;
    await renderPage(
      `/scorecards?page=2&cursor=${encodeURIComponent(cursor)}`,
      [
        ...FIRST_RENDER,
        recordings.entitiesAllPage2,
        recordings.entitiesFailingRunbook,
      ],
    );
    const table = await screen.findByRole('table', { name: 'Entities' });
    expect(within(table).getAllByRole('row')[1].getAttribute('data-ref')).toBe(
      second.items[0].entityRef,
    );
    expect(
      screen.getByText(`26-${second.total} of ${second.total}`),
    ).toBeInTheDocument();

    await screen.findByRole('table', { name: 'Checks' });
    await userEvent.click(
      screen.getByRole('button', { name: /^Failing check / }),
    );
    await userEvent.click(
      await screen.findByRole('option', { name: 'Runbook linked' }),
    );
    expect(params().get('check')).toBe('runbook');
    expect(params().get('page')).toBeNull();
    expect(params().get('cursor')).toBeNull();
    await waitFor(() =>
      expect(
        within(screen.getByRole('table', { name: 'Entities' })).getAllByRole(
          'row',
        ),
      ).toHaveLength(failingRunbook.items.length + 1),
    );
  });

  it('says when no entity matches the filters, and clears them', async () => {
    await renderPage('/scorecards?q=no-such-entity', [
      ...FIRST_RENDER,
      recordings.entitiesNoMatch,
    ]);
    expect(
      await screen.findByText('No entity matches these filters'),
    ).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Clear filters' }),
    );
    expect(params().get('q')).toBeNull();
    expect(
      await screen.findByRole('table', { name: 'Entities' }),
    ).toBeInTheDocument();
  });

  it('shows a loading state, then an error with a retry that recovers', async () => {
    let failures = 1;
    let answer = () => {};
    const answered = new Promise<void>(resolve => {
      answer = resolve;
    });
    const failOnce = [
      http.get(`${TEST_BASE_URL}/rollup`, async ({ request }) => {
        const by = new URL(request.url).searchParams.get('by');
        if (by === 'group' && failures-- > 0) {
          await answered;
          return backendError(503, 'The database is not reachable');
        }
        return undefined;
      }),
    ];
    await renderPage('/scorecards', FIRST_RENDER, failOnce);
    expect(
      await screen.findByRole('status', { name: 'Loading the rollup' }),
    ).toBeInTheDocument();
    answer();
    expect(
      await screen.findByText('Could not load the rollup'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/The database is not reachable/),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(
      await screen.findByRole('table', { name: 'Groups' }),
    ).toBeInTheDocument();
  });

  it('tells how the average score moved over the window, in words', async () => {
    await renderPage();
    expect(
      await screen.findByText(/^(Steady|Improving|Worsening|Scored since)/),
    ).toBeInTheDocument();
    expect(screen.getByText('Regressed most')).toBeInTheDocument();
    expect(screen.getByText('Improved most')).toBeInTheDocument();
  });

  it("writes each heatmap cell as a number, and a click lists that group's entities failing that check", async () => {
    const commerceFailing = recordings.entitiesCommerceFailingRunbook.response
      .body as unknown as EntitiesPageResponse;
    await renderPage('/scorecards', [
      ...FIRST_RENDER,
      recordings.heatmapCategoryAll,
      recordings.rollupGroupsDepartment,
      recordings.rollupChecksDepartment,
      recordings.entitiesCommerceFailingRunbook,
    ]);
    const table = await screen.findByRole('table', { name: 'Heatmap' });
    const commerce = heatmap.rows.find(
      r => r.ref === 'group:default/commerce',
    )!;
    const column = heatmap.columns.findIndex(c => c.id === 'runbook');
    const cell = commerce.cells[column];
    const button = within(table).getByRole('button', {
      name: new RegExp(
        `Commerce, Runbook linked: ${cell.pass} pass, ${cell.fail} fail`,
      ),
    });
    expect(button).toHaveTextContent(`${cell.passRate}%`);

    await userEvent.click(button);
    expect(params().get('scope')).toBe('group:default/commerce');
    expect(params().get('check')).toBe('runbook');
    const entities = await screen.findByRole('table', { name: 'Entities' });
    await waitFor(() =>
      expect(
        within(entities)
          .getAllByRole('row')
          .slice(1)
          .map(row => row.getAttribute('data-ref')),
      ).toEqual(commerceFailing.items.map(i => i.entityRef)),
    );
    expect(
      screen.getByText('Only the entities failing Runbook linked'),
    ).toBeInTheDocument();
  });

  it('puts the heatmap against categories when asked, in the URL', async () => {
    await renderPage('/scorecards', [
      ...FIRST_RENDER,
      recordings.heatmapCategoryAll,
    ]);
    await screen.findByRole('table', { name: 'Heatmap' });
    await userEvent.click(screen.getByRole('button', { name: /^Columns / }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Categories' }),
    );
    expect(params().get('axis')).toBe('category');
    const table = await screen.findByRole('table', { name: 'Heatmap' });
    await waitFor(() =>
      expect(
        within(table).getByRole('columnheader', { name: 'Reliability' }),
      ).toBeInTheDocument(),
    );
  });

  it('opens with the headline indicators of the scope', async () => {
    // The example backend's answer: four shares and a fact median, with 30 days of history.
    await renderPage('/scorecards', [
      recordings.indicatorsAll,
      ...FIRST_RENDER,
    ]);
    const region = await screen.findByRole('region', {
      name: 'Headline indicators',
    });
    const recorded = recordings.indicatorsAll.response
      .body as IndicatorsResponse;
    expect(recorded.indicators).toHaveLength(5);
    for (const indicator of recorded.indicators) {
      expect(
        await within(region).findByRole('heading', { name: indicator.title }),
      ).toBeInTheDocument();
    }
    const mttr = recorded.indicators.find(i => i.measure.type === 'fact')!;
    expect(
      within(region).getByText(`${mttr.now.value} minutes`),
    ).toBeInTheDocument();
    // It comes before the other parts of the page.
    const groups = await screen.findByRole('table', { name: 'Groups' });
    expect(
      region.compareDocumentPosition(groups) & Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
  });

  it("scopes the page to a team that moved, from the trend's team movers", async () => {
    const trends = [
      http.get(`${TEST_BASE_URL}/trends`, () =>
        HttpResponse.json(handMadeTrends()),
      ),
    ];
    await renderPage('/scorecards', FIRST_RENDER, trends);
    await userEvent.click(
      await screen.findByRole('link', {
        name: 'Search: scope the page to this team',
      }),
    );
    expect(params().get('scope')).toBe('group:default/team-search');
    expect(
      await screen.findByRole('link', { name: /team-search/ }),
    ).toBeInTheDocument();
  });

  it("narrows the drill-down to the reader's teams, in the URL", async () => {
    const asked: string[] = [];
    const mine = [
      http.get(`${TEST_BASE_URL}/entities`, ({ request }) => {
        const owner = new URL(request.url).searchParams.get('owner');
        if (!owner) return undefined;
        asked.push(owner);
        return HttpResponse.json(recordings.entitiesNoMatch.response.body);
      }),
    ];
    await renderPage('/scorecards', FIRST_RENDER, mine, [
      'group:default/team-checkout',
    ]);
    await userEvent.click(
      await screen.findByRole('button', { name: 'My teams' }),
    );
    expect(params().get('owner')).toBe('group:default/team-checkout');
    await waitFor(() => expect(asked).toEqual(['group:default/team-checkout']));
    expect(screen.getByRole('button', { name: 'My teams' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
  });
});
