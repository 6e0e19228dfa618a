import type { Entity } from '@backstage/catalog-model';
import { registerMswTestHooks } from '@backstage/test-utils';
import type { RollupResponse } from '@guardrails/plugin-scorecards-common';
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
import { renderOnEntityPage } from '../../__testUtils__/renderEntity';
import { EntityScorecardRollupCard } from './EntityScorecardRollupCard';

const server = setupServer();
registerMswTestHooks(server);

function entity(kind: string, name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default' },
    spec: {},
  };
}

const department = recordings.rollupChecksDepartment.response
  .body as unknown as Extract<RollupResponse, { by: 'check' }>;

describe('EntityScorecardRollupCard', () => {
  it("rolls up a department with its teams' entities: figures, levels and the checks failing most", async () => {
    server.use(...recordedHandlers([recordings.rollupChecksDepartment]));
    await renderOnEntityPage(
      <EntityScorecardRollupCard />,
      entity('Group', 'commerce'),
    );

    expect(
      await screen.findByRole('heading', { name: 'Production readiness' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Everything this group and the groups below it own.'),
    ).toBeInTheDocument();
    const { summary } = department;
    expect(screen.getByText(String(summary.entities))).toBeInTheDocument();
    expect(screen.getByText('entities scored')).toBeInTheDocument();
    expect(screen.getByText(String(summary.averageScore))).toBeInTheDocument();
    expect(
      screen.getByRole('img', {
        name: `Gold ${summary.levels.Gold}, Silver ${summary.levels.Silver}, Bronze ${summary.levels.Bronze}, No level ${summary.levels.none}`,
      }),
    ).toBeInTheDocument();

    const top = [...department.rows]
      .sort((a, b) => b.failing - a.failing || a.title.localeCompare(b.title))
      .slice(0, 3);
    const list = screen.getByRole('heading', { name: 'Failing most' })
      .nextElementSibling as HTMLElement;
    const items = within(list).getAllByRole('listitem');
    expect(items.map(i => i.textContent)).toEqual(
      top.map(row => `${row.title}: ${row.failing} entities`),
    );
  });

  it('says what a System and a Domain cover', async () => {
    server.use(
      ...recordedHandlers([
        recordings.rollupChecksSystem,
        recordings.rollupChecksDomain,
      ]),
    );
    const { unmount } = await renderOnEntityPage(
      <EntityScorecardRollupCard />,
      entity('System', 'payments-core'),
    );
    expect(
      await screen.findByText('Everything that is part of this system.'),
    ).toBeInTheDocument();
    unmount();
    await renderOnEntityPage(
      <EntityScorecardRollupCard />,
      entity('Domain', 'payments'),
    );
    expect(
      await screen.findByText(
        'Everything in this domain, directly or through its systems.',
      ),
    ).toBeInTheDocument();
  });

  it('says when nothing it covers has a scorecard yet', async () => {
    const empty = structuredClone(department);
    empty.summary = { entities: 0, averageScore: null, levels: {}, failing: 0 };
    empty.rows = empty.rows.map(row => ({ ...row, failing: 0 }));
    server.use(
      http.get(`${TEST_BASE_URL}/rollup`, () =>
        HttpResponse.json(empty as any),
      ),
    );
    await renderOnEntityPage(
      <EntityScorecardRollupCard />,
      entity('Group', 'commerce'),
    );
    expect(
      await screen.findByText('Nothing here has a scorecard yet'),
    ).toBeInTheDocument();
  });

  it('shows an error with a retry', async () => {
    let calls = 0;
    server.use(
      http.get(`${TEST_BASE_URL}/rollup`, () => {
        calls += 1;
        return calls === 1
          ? backendError(503, 'The database is restarting')
          : HttpResponse.json(department as any);
      }),
    );
    await renderOnEntityPage(
      <EntityScorecardRollupCard />,
      entity('Group', 'commerce'),
    );
    expect(
      await screen.findByText('Could not load the rollup'),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('entities scored')).toBeInTheDocument();
  });
});
