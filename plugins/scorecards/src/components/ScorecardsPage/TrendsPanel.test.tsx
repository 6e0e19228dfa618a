import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import type { TrendsResponse } from '@guardrails/plugin-scorecards-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { scorecardsApiRef } from '../../api';
import { handMadeTrends } from '../../__testUtils__/handMade';
import {
  recordings,
  TEST_BASE_URL,
  failingOnce,
} from '../../__testUtils__/recordings';
import { testClient } from '../../__testUtils__/renderEntity';
import { rootRouteRef } from '../../routes';
import { TrendsPanel } from './TrendsPanel';

// recharts draws in jsdom, which takes a moment.
jest.setTimeout(20_000);

const server = setupServer();
registerMswTestHooks(server);

function answering(body: TrendsResponse | unknown) {
  server.use(
    http.get(`${TEST_BASE_URL}/trends`, () => HttpResponse.json(body as any)),
  );
}

function render(window: '30' | '90' | '365' = '30') {
  return renderInTestApp(
    <TestApiProvider apis={[[scorecardsApiRef, testClient()]]}>
      <TrendsPanel
        scope="all"
        scorecard="production-readiness"
        window={window}
        levels={['Bronze', 'Silver', 'Gold']}
      />
    </TestApiProvider>,
    {
      mountedRoutes: {
        '/scorecards': rootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}

const region = (name: string) => screen.getByRole('region', { name });
const texts = (list: HTMLElement) =>
  within(list)
    .getAllByRole('listitem')
    .map(item => item.textContent);

describe('TrendsPanel', () => {
  it('says which checks moved each entity, from which status to which', async () => {
    answering(handMadeTrends());
    await render();
    await screen.findByRole('region', { name: 'Regressed most' });

    const regressed = region('Regressed most');
    expect(
      within(regressed).getByRole('link', { name: /search-indexer/ }),
    ).toHaveAttribute('href', '/catalog/default/component/search-indexer');
    expect(
      texts(
        within(regressed).getByRole('list', {
          name: 'What moved component:default/search-indexer',
        }),
      ),
    ).toEqual([
      'SLO defined: Pass → Fail',
      'On-call alert routing: Pass → Error',
    ]);

    // A check that started or stopped applying says so; past three, the rest are counted.
    expect(
      texts(
        within(region('Improved most')).getByRole('list', {
          name: 'What moved component:default/checkout-api',
        }),
      ),
    ).toEqual([
      'Runbook linked: Fail → Pass',
      'TLS everywhere: applies now, Pass',
      'Legacy CI: no longer applies (was Fail)',
      'and 1 more',
    ]);
  });

  it('shows the teams that moved most, with the checks behind it, each linking to the page scoped to the team', async () => {
    answering(handMadeTrends());
    await render();
    await screen.findByRole('region', { name: 'Teams regressed most' });

    const regressed = region('Teams regressed most');
    const search = within(regressed).getByRole('link', {
      name: 'Search: scope the page to this team',
    });
    const href = new URL(search.getAttribute('href')!, 'http://localhost');
    expect(href.pathname).toBe('/scorecards');
    expect(Object.fromEntries(href.searchParams)).toEqual({
      scope: 'group:default/team-search',
      scorecard: 'production-readiness',
      window: '30',
    });
    expect(
      within(regressed).getByText(/average 63\.5 → 55 over 4 entities/),
    ).toBeInTheDocument();
    expect(
      texts(within(regressed).getByRole('list', { name: 'What moved Search' })),
    ).toEqual([
      '3 entities stopped passing On-call alert routing',
      '2 entities stopped passing SLO defined',
      '1 entity started passing SLO defined',
    ]);

    const improved = region('Teams improved most');
    expect(
      within(improved).getByText(/average 70 → 100 over 1 entity$/),
    ).toBeInTheDocument();
    expect(
      texts(
        within(improved).getByRole('list', { name: 'What moved Checkout' }),
      ),
    ).toEqual(['1 entity started passing Runbook linked']);
  });

  it('counts the entities that appeared in the window and lists the newest', async () => {
    answering(handMadeTrends());
    await render();
    const fresh = await screen.findByRole('region', { name: 'New entities' });
    expect(within(fresh).getByText('5 new in the window')).toBeInTheDocument();
    expect(
      within(fresh).getByRole('link', { name: /gift-cards/ }),
    ).toHaveAttribute('href', '/catalog/default/component/gift-cards');
    expect(within(fresh).getByText(/score 40 · No level$/)).toBeInTheDocument();
    expect(within(fresh).getByText(/score 75 · Silver$/)).toBeInTheDocument();
    expect(within(fresh).getByText('and 3 more')).toBeInTheDocument();
  });

  it('says when no team moved and nothing appeared', async () => {
    answering({
      ...handMadeTrends(),
      teams: { improved: [], regressed: [] },
      new: { entities: [], total: 0 },
    });
    await render();
    expect(
      await screen.findByText('No team regressed by its own changes.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('No team improved by its own changes.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('No entity appeared in the window.'),
    ).toBeInTheDocument();
  });

  it('leaves out causes, teams and new entities when an older backend does not give them', async () => {
    const { teams: _teams, new: _new, ...trends } = handMadeTrends();
    answering({
      ...trends,
      improved: trends.improved.map(({ causes: _causes, ...m }) => m),
      regressed: trends.regressed.map(({ causes: _causes, ...m }) => m),
    });
    await render();
    const regressed = await screen.findByRole('region', {
      name: 'Regressed most',
    });
    expect(
      within(regressed).getByRole('link', { name: /search-indexer/ }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('list', { name: /^What moved/ })).toBeNull();
    expect(screen.queryByRole('region', { name: /^Teams/ })).toBeNull();
    expect(screen.queryByRole('region', { name: 'New entities' })).toBeNull();
  });

  it('reads a recorded trend, whatever it holds of the new parts', async () => {
    answering(recordings.trendsAll.response.body);
    await render('90');
    expect(
      await screen.findByRole('region', { name: 'Regressed most' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/^(Steady|Improving|Worsening|Scored since|No scores)/),
    ).toBeInTheDocument();
  });

  it('shows a loading state, then an error with a retry that recovers', async () => {
    const { handler, answer } = failingOnce('/trends', () => handMadeTrends());
    server.use(handler);
    await render();
    expect(
      await screen.findByRole('status', { name: 'Loading the trend' }),
    ).toBeInTheDocument();
    answer();
    expect(
      await screen.findByText('Could not load the trend'),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(
      await screen.findByRole('region', { name: 'New entities' }),
    ).toBeInTheDocument();
  });
});
