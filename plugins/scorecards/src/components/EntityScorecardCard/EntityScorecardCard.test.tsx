import { registerMswTestHooks } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  backendError,
  recordedHandlers,
  recordings,
  TEST_BASE_URL,
} from '../../__testUtils__/recordings';
import {
  exampleComponent,
  renderOnEntityPage,
} from '../../__testUtils__/renderEntity';
import { EntityScorecardCard } from './EntityScorecardCard';

const server = setupServer();
registerMswTestHooks(server);

describe('EntityScorecardCard', () => {
  it('shows an exemplary service at Gold, with every check passing and a link to the tab', async () => {
    server.use(...recordedHandlers([recordings.entityExemplary]));
    await renderOnEntityPage(
      <EntityScorecardCard />,
      exampleComponent('checkout-api'),
    );

    expect(
      await screen.findByRole('heading', { name: 'Production readiness' }),
    ).toBeInTheDocument();
    expect(screen.getByText('Gold')).toBeInTheDocument();
    expect(screen.getByText('100 / 100')).toBeInTheDocument();
    expect(screen.getByText('Highest level reached.')).toBeInTheDocument();
    expect(screen.getByText('14 passing')).toBeInTheDocument();
    expect(
      screen.getByText('Every enforced check passes.'),
    ).toBeInTheDocument();
    expect(screen.getByText(/^Evaluated .* ago$/)).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'View scorecard' }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/checkout-api/scorecard',
    );
  });

  it('tells a bare service what Bronze needs and lists its failing checks first, with the first step of each fix', async () => {
    server.use(...recordedHandlers([recordings.entityBare]));
    await renderOnEntityPage(
      <EntityScorecardCard />,
      exampleComponent('content-service'),
    );

    expect(await screen.findByText('No level')).toBeInTheDocument();
    expect(
      screen.getByText('To reach Bronze:').parentElement,
    ).toHaveTextContent(
      'To reach Bronze: Alerts routed to on-call, Code is scanned for vulnerabilities',
    );
    const counts = screen.getByText(/\d+ failing/);
    expect(counts).toBeInTheDocument();
    expect(screen.getByText('1 passing')).toBeInTheDocument();

    const list = screen.getByRole('heading', { name: 'Needs attention' })
      .nextElementSibling as HTMLElement;
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(3);
    // Critical failures first.
    expect(items[0]).toHaveTextContent('Fail: Alerts routed to on-call');
    expect(
      within(items[0]).getByRole('link', { name: 'Alerts routed to on-call' }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/content-service/scorecard?scorecard=production-readiness&check=on-call',
    );
    expect(
      await within(items[0]).findByText(
        /Route the service's alerts to an on-call rotation/,
      ),
    ).toBeInTheDocument();
    expect(items[0]).not.toHaveTextContent('For PagerDuty');
    expect(
      screen.getByRole('link', { name: /more in the scorecard/ }),
    ).toBeInTheDocument();
  });

  it('says when the entity has not been evaluated yet, and evaluates it on request', async () => {
    server.use(
      ...recordedHandlers([
        recordings.entityNotEvaluated,
        recordings.evaluateExemplary,
      ]),
    );
    await renderOnEntityPage(
      <EntityScorecardCard />,
      exampleComponent('checkout-api'),
    );

    expect(await screen.findByText('Not evaluated yet')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Evaluate now' }));
    expect(await screen.findByText('Gold')).toBeInTheDocument();
  });

  it('says when no scorecard applies', async () => {
    server.use(...recordedHandlers([recordings.entityNotApplicable]));
    await renderOnEntityPage(<EntityScorecardCard />, {
      ...exampleComponent('payments-core'),
      kind: 'System',
    });
    expect(await screen.findByText('No scorecard applies')).toBeInTheDocument();
  });

  it('says so when the entity cannot be read', async () => {
    server.use(...recordedHandlers([recordings.entityNotFound]));
    await renderOnEntityPage(
      <EntityScorecardCard />,
      exampleComponent('no-such-service'),
    );
    expect(await screen.findByText('No scorecard to show')).toBeInTheDocument();
  });

  it('shows an error with a retry that loads the scorecard', async () => {
    let calls = 0;
    server.use(
      http.get(`${TEST_BASE_URL}/entity`, () => {
        calls += 1;
        return calls === 1
          ? backendError(503, 'The database is restarting')
          : HttpResponse.json(recordings.entityExemplary.response.body as any);
      }),
    );
    await renderOnEntityPage(
      <EntityScorecardCard />,
      exampleComponent('checkout-api'),
    );

    expect(
      await screen.findByText('Could not load the scorecard'),
    ).toBeInTheDocument();
    expect(screen.getByText('The database is restarting')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('Gold')).toBeInTheDocument();
  });

  it('shows a loading state until the answer arrives', async () => {
    server.use(
      http.get(`${TEST_BASE_URL}/entity`, () => new Promise(() => {})),
    );
    await renderOnEntityPage(
      <EntityScorecardCard />,
      exampleComponent('checkout-api'),
    );
    expect(
      screen.getByRole('status', { name: 'Loading the scorecard' }),
    ).toBeInTheDocument();
  });
});
