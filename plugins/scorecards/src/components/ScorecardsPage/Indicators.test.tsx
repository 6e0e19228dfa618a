import {
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import type { IndicatorsResponse } from '@guardrails/plugin-scorecards-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { scorecardsApiRef } from '../../api';
import { handMadeIndicators } from '../../__testUtils__/handMade';
import { TEST_BASE_URL, failingOnce } from '../../__testUtils__/recordings';
import { testClient } from '../../__testUtils__/renderEntity';
import { Indicators } from './Indicators';

const server = setupServer();
registerMswTestHooks(server);

/** Answers `GET /indicators` with the given body, and keeps the scopes asked for. */
function answering(body: IndicatorsResponse | (() => Response)) {
  const scopes: string[] = [];
  server.use(
    http.get(`${TEST_BASE_URL}/indicators`, ({ request }) => {
      scopes.push(new URL(request.url).searchParams.get('scope') ?? '');
      return typeof body === 'function' ? body() : HttpResponse.json(body);
    }),
  );
  return scopes;
}

function render(scope = 'all') {
  return renderInTestApp(
    <TestApiProvider apis={[[scorecardsApiRef, testClient()]]}>
      <Indicators scope={scope} />
    </TestApiProvider>,
  );
}

/** The list item of the indicator with this title. */
async function indicator(title: string) {
  const heading = await screen.findByRole('heading', { name: title });
  return heading.closest('li') as HTMLElement;
}

describe('Indicators', () => {
  it('shows each indicator: its value, what it counts, its change in words and whether that is better, and what it means', async () => {
    const scopes = answering(handMadeIndicators('group:default/commerce'));
    await render('group:default/commerce');

    const silver = await indicator('Services at Silver or above');
    expect(silver).toHaveAccessibleName('Services at Silver or above');
    expect(within(silver).getByText('34.1%')).toBeInTheDocument();
    expect(within(silver).getByText('14 of 41 entities')).toBeInTheDocument();
    expect(
      within(silver).getByText('Up 4.2 points from 29.9% 30 days ago: better'),
    ).toBeInTheDocument();
    expect(
      within(silver).getByText(
        'Share of scored services that reach at least Silver.',
      ),
    ).toBeInTheDocument();

    const onCall = await indicator('On-call alert routing');
    expect(within(onCall).getByText('61%')).toBeInTheDocument();
    expect(
      within(onCall).getByText('Down 3.9 points from 64.9% 30 days ago: worse'),
    ).toBeInTheDocument();

    // A fact, where lower is better: down is for the better, and it says how fresh it is.
    const leadTime = await indicator('Lead time for changes');
    expect(within(leadTime).getByText('42 minutes')).toBeInTheDocument();
    expect(
      within(leadTime).getByText('Median over 18 entities'),
    ).toBeInTheDocument();
    expect(
      within(leadTime).getByText(
        'Down 13.5 minutes from 55.5 minutes 30 days ago: better',
      ),
    ).toBeInTheDocument();
    expect(
      within(leadTime).getByText(
        'Lower is better · values from the last 3 days; 2 stale',
      ),
    ).toBeInTheDocument();
    expect(scopes).toEqual(['group:default/commerce']);
  });

  it('says when an indicator counted nothing, has nothing to compare with, or did not move', async () => {
    const [silver] = handMadeIndicators().indicators;
    answering({
      scope: 'all',
      indicators: [
        {
          ...silver,
          id: 'nothing',
          title: 'Nothing counted',
          now: { at: '2026-12-01T06:00:00.000Z', value: null, entities: 0 },
          change: null,
        },
        {
          ...silver,
          id: 'new',
          title: 'No history',
          before: { at: '2026-11-01T06:00:00.000Z', value: null, entities: 0 },
          change: null,
        },
        {
          ...silver,
          id: 'flat',
          title: 'Steady',
          change: 0,
          now: { at: '2026-12-01T06:00:00.000Z', value: 34.1, entities: 41 },
        },
      ],
    });
    await render();

    const nothing = await indicator('Nothing counted');
    expect(within(nothing).getByText('–')).toBeInTheDocument();
    expect(
      within(nothing).getByText('Nothing counted in this scope yet'),
    ).toBeInTheDocument();
    expect(within(nothing).queryByText(/30 days ago/)).toBeNull();

    const fresh = await indicator('No history');
    expect(
      within(fresh).getByText('No value 30 days ago to compare with'),
    ).toBeInTheDocument();

    const steady = await indicator('Steady');
    expect(
      within(steady).getByText('No change from 30 days ago'),
    ).toBeInTheDocument();
    // A share whose answer does not say how many meet it still says how many it counted.
    expect(within(steady).getByText('41 entities counted')).toBeInTheDocument();
  });

  it('says a fact whose values are all fresh, from the last hours, is so', async () => {
    const [, , leadTime] = handMadeIndicators().indicators;
    answering({
      scope: 'all',
      indicators: [
        {
          ...leadTime,
          higherIsBetter: true,
          freshness: {
            fresh: 18,
            stale: 0,
            oldestObservedAt: '2026-12-01T01:30:00.000Z',
            newestObservedAt: '2026-12-01T05:10:00.000Z',
          },
        },
      ],
    });
    await render();
    const item = await indicator('Lead time for changes');
    expect(
      within(item).getByText(
        'Higher is better · values from the last 5 hours; all fresh',
      ),
    ).toBeInTheDocument();
    // Higher is better here, so going down is for the worse.
    expect(
      within(item).getByText(
        'Down 13.5 minutes from 55.5 minutes 30 days ago: worse',
      ),
    ).toBeInTheDocument();
  });

  it('says when no indicator is set up', async () => {
    answering({ scope: 'all', indicators: [] });
    await render();
    expect(
      await screen.findByText('No headline indicators are set up'),
    ).toBeInTheDocument();
  });

  it('shows a loading state, then an error with a retry that recovers', async () => {
    const { handler, answer } = failingOnce('/indicators', () =>
      handMadeIndicators(),
    );
    server.use(handler);
    await render();
    expect(
      await screen.findByRole('status', {
        name: 'Loading the headline indicators',
      }),
    ).toBeInTheDocument();
    answer();
    expect(
      await screen.findByText('Could not load the headline indicators'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/The database is not reachable/),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(
      await screen.findByRole('heading', { name: 'Lead time for changes' }),
    ).toBeInTheDocument();
  });

  it('tells an older backend without indicators from a scope that does not exist', async () => {
    answering(() => new HttpResponse(null, { status: 404 }));
    const { unmount } = await render();
    expect(
      await screen.findByText(
        'Headline indicators need a newer version of the scorecards backend.',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
    unmount();

    answering(() =>
      HttpResponse.json(
        {
          error: {
            name: 'NotFoundError',
            message: 'No group group:default/gone in the catalog',
          },
          request: { method: 'GET', url: '/indicators' },
          response: { statusCode: 404 },
        },
        { status: 404 },
      ),
    );
    await render('group:default/gone');
    expect(
      await screen.findByText('Could not load the headline indicators'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('No group group:default/gone in the catalog'),
    ).toBeInTheDocument();
  });
});
