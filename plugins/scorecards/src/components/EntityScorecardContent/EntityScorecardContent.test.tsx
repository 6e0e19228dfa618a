import { registerMswTestHooks } from '@backstage/test-utils';
import type { EntityScorecardsResponse } from '@guardrails/plugin-scorecards-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  backendError,
  recordedBody,
  recordedHandlers,
  recordings,
  TEST_BASE_URL,
} from '../../__testUtils__/recordings';
import {
  exampleComponent,
  renderOnEntityPage,
} from '../../__testUtils__/renderEntity';
import { EntityScorecardContent } from './EntityScorecardContent';

// The first render loads the markdown renderer, which takes seconds on a busy machine.
jest.setTimeout(20_000);

const server = setupServer();
registerMswTestHooks(server);

/** The list item of one check, by its title. */
function checkItem(title: string) {
  return screen.getByRole('listitem', { name: title });
}

describe('EntityScorecardContent', () => {
  it('shows the level ladder, the score and its history, and every check by category', async () => {
    server.use(
      ...recordedHandlers([
        recordings.entityExemplary,
        recordings.historyExemplary,
      ]),
    );
    await renderOnEntityPage(
      <EntityScorecardContent />,
      exampleComponent('checkout-api'),
    );

    expect(
      await screen.findByRole('heading', { name: 'Production readiness' }),
    ).toBeInTheDocument();
    const ladder = screen.getByRole('list', { name: 'Levels' });
    const levels = within(ladder).getAllByRole('listitem', { name: '' }).length;
    expect(levels).toBeGreaterThan(0);
    const gold = within(ladder).getByRole('heading', { name: 'Gold' })
      .parentElement!.parentElement!;
    expect(gold).toHaveAttribute('aria-current', 'step');
    expect(gold).toHaveTextContent('Reached · Current level');
    expect(gold).toHaveTextContent('4 of 4 checks pass');

    for (const category of [
      'Ownership',
      'Reliability',
      'Observability',
      'Security',
      'Documentation',
      'Delivery',
    ]) {
      expect(
        screen.getByRole('heading', { level: 3, name: category }),
      ).toBeInTheDocument();
    }
    const owner = checkItem('Owned by a team that exists');
    expect(owner).toHaveTextContent('Pass');
    expect(owner).toHaveTextContent('Severity: Critical');
    expect(owner).toHaveTextContent(
      'Owned by group:default/team-checkout, which exists.',
    );
    // A passing check needs no fix.
    expect(within(owner).queryByText('How to fix')).not.toBeInTheDocument();
    expect(
      await screen.findByText(
        // The example history has it rise to 100 over the 90 days.
        /Score \d+ on .*, 100 now\.|The score has been 100|Evaluated since .*, with a score of 100 throughout/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('link', { name: /Edit catalog-info.yaml/ }),
    ).toBeNull();
  });

  it('shows a failing check with why it fails, its remediation as markdown and a link to edit catalog-info.yaml', async () => {
    server.use(
      ...recordedHandlers([recordings.entityBare, recordings.historyExemplary]),
    );
    const entity = exampleComponent('content-service');
    await renderOnEntityPage(<EntityScorecardContent />, entity);

    const onCall = await waitFor(() => checkItem('Alerts routed to on-call'));
    expect(onCall).toHaveTextContent('Fail');
    expect(onCall).toHaveTextContent(
      'None of the annotations pagerduty.com/integration-key, pagerduty.com/service-id, opsgenie.com/component-selector, opsgenie.com/team is set.',
    );
    expect(within(onCall).getByText('How to fix')).toBeInTheDocument();
    // The remediation's YAML example is rendered as code.
    expect(await within(onCall).findByText('a1b2c3d4e5f6')).toBeInTheDocument();
    expect(onCall.querySelector('pre code')).toHaveTextContent(
      'pagerduty.com/integration-key: a1b2c3d4e5f6',
    );
    const edit = within(onCall).getByRole('link', {
      name: /^Edit catalog-info.yaml/,
    });
    expect(edit).toHaveAttribute(
      'href',
      entity.metadata.annotations!['backstage.io/edit-url'],
    );
    expect(
      within(onCall).getByRole('link', {
        name: /^Site Reliability Engineering: Being on-call/,
      }),
    ).toBeInTheDocument();
  });

  it('keeps "failing only" in the URL and shows only checks that need attention', async () => {
    server.use(
      ...recordedHandlers([recordings.entityBare, recordings.historyExemplary]),
    );
    await renderOnEntityPage(
      <EntityScorecardContent />,
      exampleComponent('content-service'),
      {
        routeEntries: [
          '/catalog/default/component/content-service/scorecard?failing=true',
        ],
      },
    );

    const toggle = await screen.findByRole('checkbox', {
      name: 'Failing only',
    });
    expect(toggle).toBeChecked();
    expect(
      screen.getByRole('listitem', { name: 'Alerts routed to on-call' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('listitem', { name: 'Owned by a team that exists' }),
    ).not.toBeInTheDocument();

    await userEvent.click(toggle);
    expect(
      await screen.findByRole('listitem', {
        name: 'Owned by a team that exists',
      }),
    ).toBeInTheDocument();
    expect(toggle).not.toBeChecked();
  });

  it('says what is malformed about an error', async () => {
    server.use(
      ...recordedHandlers([
        recordings.entityMalformed,
        recordings.historyExemplary,
      ]),
    );
    await renderOnEntityPage(
      <EntityScorecardContent />,
      exampleComponent('cart-service'),
    );
    const reviewed = await waitFor(() =>
      checkItem('Runbook reviewed in the last 180 days'),
    );
    expect(reviewed).toHaveTextContent('Error');
    expect(reviewed).toHaveTextContent(
      'Malformed value: Annotation guardrails.dev/runbook-reviewed is "last spring", which is not an ISO date',
    );
  });

  it('shows a waiver with its reason, expiry and who granted it, and an advisory check as advisory', async () => {
    server.use(
      ...recordedHandlers([
        recordings.entityWaived,
        recordings.historyExemplary,
      ]),
    );
    await renderOnEntityPage(
      <EntityScorecardContent />,
      exampleComponent('payouts-service'),
    );
    const delivery = await waitFor(() => checkItem('Progressive delivery'));
    expect(delivery).toHaveTextContent('Waived');
    expect(delivery).toHaveTextContent(
      /Waiver expires [A-Z][a-z]{2} \d+, \d{4} \(in .*\) · granted by group:default\/team-payments/,
    );
    expect(delivery).toHaveTextContent(/Nightly batch with a single leader/);
    expect(checkItem('Chaos experiment in the last 90 days')).toHaveTextContent(
      'Advisory check: it warns but never lowers the score or blocks a level.',
    );
  });

  it('shows when a check that only warns becomes enforced', async () => {
    const answer = structuredClone(recordedBody('entityBare'));
    const slo = answer.scorecards[0].checks.find(
      c => c.checkId === 'slo-defined',
    )!;
    Object.assign(slo, {
      status: 'warn',
      enforced: false,
      enforcedFrom: '2027-01-15',
    });
    server.use(
      http.get(`${TEST_BASE_URL}/entity`, () =>
        HttpResponse.json(answer as any),
      ),
      ...recordedHandlers([recordings.historyExemplary]),
    );
    await renderOnEntityPage(
      <EntityScorecardContent />,
      exampleComponent('content-service'),
    );
    expect(
      await waitFor(() => checkItem('Service-level objective defined')),
    ).toHaveTextContent(/Not enforced until Jan 15, 2027/);
  });

  it('lists the checks that do not apply apart, folded until asked for', async () => {
    server.use(
      ...recordedHandlers([
        recordings.entityLibrary,
        recordings.historyExemplary,
      ]),
    );
    await renderOnEntityPage(
      <EntityScorecardContent />,
      exampleComponent('design-system'),
    );
    const fold = await screen.findByRole('button', {
      name: /Not applicable \(\d+\)/,
    });
    expect(fold).toHaveAttribute('aria-expanded', 'false');
    expect(
      screen.queryByRole('listitem', { name: 'Alerts routed to on-call' }),
    ).not.toBeInTheDocument();

    await userEvent.click(fold);
    expect(fold).toHaveAttribute('aria-expanded', 'true');
    expect(
      screen.getByRole('listitem', { name: 'Alerts routed to on-call' }),
    ).toHaveTextContent('Not applicable');
  });

  it('re-evaluates on request and says what changed', async () => {
    const before = recordedBody('entityBare');
    const after: EntityScorecardsResponse = structuredClone(
      recordedBody('evaluateBare'),
    );
    const card = after.scorecards[0];
    card.checks.find(c => c.checkId === 'on-call')!.status = 'pass';
    card.score = before.scorecards[0].score + 20;
    let evaluated = 0;
    server.use(
      ...recordedHandlers([recordings.entityBare, recordings.historyExemplary]),
      http.post(`${TEST_BASE_URL}/entity/evaluate`, () => {
        evaluated += 1;
        return HttpResponse.json(after as any);
      }),
    );
    await renderOnEntityPage(
      <EntityScorecardContent />,
      exampleComponent('content-service'),
    );

    await userEvent.click(
      await screen.findByRole('button', { name: 'Re-evaluate now' }),
    );
    const result = await screen.findByText(/^Re-evaluated/);
    expect(evaluated).toBe(1);
    const status = result.closest('[role="status"]') as HTMLElement;
    expect(status).toHaveTextContent('2 changes:');
    expect(status).toHaveTextContent('Alerts routed to on-call: Fail → Pass');
    expect(status).toHaveTextContent(
      `Score: ${before.scorecards[0].score} → ${card.score}`,
    );
    expect(checkItem('Alerts routed to on-call')).toHaveTextContent('Pass');
  });

  it('says when a re-evaluation changed nothing', async () => {
    server.use(
      ...recordedHandlers([
        recordings.entityExemplary,
        recordings.evaluateExemplary,
        recordings.historyExemplary,
      ]),
    );
    await renderOnEntityPage(
      <EntityScorecardContent />,
      exampleComponent('checkout-api'),
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Re-evaluate now' }),
    );
    expect(
      await screen.findByText('Nothing changed since the last evaluation.'),
    ).toBeInTheDocument();
  });

  it('shows an error with a retry, and the states without results', async () => {
    server.use(
      http.get(`${TEST_BASE_URL}/entity`, () =>
        backendError(503, 'The database is restarting'),
      ),
    );
    const { unmount } = await renderOnEntityPage(
      <EntityScorecardContent />,
      exampleComponent('checkout-api'),
    );
    expect(
      await screen.findByText(/Could not load the scorecard/),
    ).toBeInTheDocument();
    expect(
      (await screen.findAllByText(/The database is restarting/))[0],
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Retry' })).toBeInTheDocument();
    unmount();

    server.use(...recordedHandlers([recordings.entityNotEvaluated]));
    await renderOnEntityPage(
      <EntityScorecardContent />,
      exampleComponent('checkout-api'),
    );
    expect(await screen.findByText('Not evaluated yet')).toBeInTheDocument();
  });
});
