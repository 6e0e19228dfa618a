import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  ApiBlueprint,
  coreExtensionData,
  translationApiRef,
} from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis as newAppApis,
  renderInTestApp as renderInNewApp,
} from '@backstage/frontend-test-utils';
import {
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { Route, Routes } from 'react-router-dom';
import { screen } from '@testing-library/react';
import { setupServer } from 'msw/node';
import {
  scorecardEntityCard,
  scorecardEntityContent,
  scorecardRollupEntityCard,
  scorecardsApi,
  scorecardsPage,
} from './alpha';
import { scorecardsApiRef, ScorecardsClient } from './api';
import {
  EntityScorecardCard,
  EntityScorecardContent,
  EntityScorecardRollupCard,
  isScorecardAvailable,
  ScorecardsPage,
  scorecardsPlugin,
} from './index';
import { rootRouteRef } from './routes';
import { recordedHandlers, recordings } from './__testUtils__/recordings';
import {
  exampleComponent,
  renderOnEntityPage,
  testClient,
} from './__testUtils__/renderEntity';

const server = setupServer();
registerMswTestHooks(server);

const checkoutApi = exampleComponent('checkout-api');

beforeEach(() => {
  server.use(
    ...recordedHandlers([
      recordings.entityExemplary,
      recordings.historyExemplary,
      recordings.rollupChecksDepartment,
      recordings.definitions,
      recordings.rollupGroupsAll,
      recordings.rollupChecksAll,
      recordings.entitiesAll,
      recordings.trendsAll,
      recordings.heatmapCheckAll,
    ]),
  );
});

const commerce = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'commerce', namespace: 'default' },
  spec: { type: 'department', children: [] },
};

describe('the legacy frontend system', () => {
  it("provides the client through the plugin's API factory", () => {
    const [factory] = [...scorecardsPlugin.getApis()];
    expect(factory.api.id).toBe(scorecardsApiRef.id);
    const client = factory.factory({
      discoveryApi: mockApis.discovery(),
      fetchApi: { fetch },
    });
    expect(client).toBeInstanceOf(ScorecardsClient);
  });

  it('renders the card', async () => {
    await renderOnEntityPage(<EntityScorecardCard />, checkoutApi);
    expect(await screen.findByText('Gold')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'View scorecard' }),
    ).toBeInTheDocument();
  });

  it('renders the tab', async () => {
    await renderOnEntityPage(<EntityScorecardContent />, checkoutApi);
    expect(
      await screen.findByRole('button', { name: 'Re-evaluate now' }),
    ).toBeInTheDocument();
  });

  it('renders the rollup card, linking to the page when it is mounted', async () => {
    await renderOnEntityPage(<EntityScorecardRollupCard />, commerce, {
      mountedRoutes: { '/scorecards': rootRouteRef },
    });
    expect(await screen.findByText('Failing most')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Open the rollup' }),
    ).toHaveAttribute(
      'href',
      `/scorecards?scope=${encodeURIComponent('group:default/commerce')}`,
    );
  });

  it('renders the org rollup page on the route an app gives it', async () => {
    await renderInTestApp(
      <TestApiProvider apis={[[scorecardsApiRef, testClient()]]}>
        <Routes>
          <Route path="/scorecards" element={<ScorecardsPage />} />
        </Routes>
      </TestApiProvider>,
      {
        routeEntries: ['/scorecards'],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      },
    );
    expect(
      await screen.findByRole('table', { name: 'Groups' }),
    ).toBeInTheDocument();
  });

  it('offers the scorecard for components only', () => {
    expect(isScorecardAvailable(checkoutApi)).toBe(true);
    expect(isScorecardAvailable({ ...checkoutApi, kind: 'System' })).toBe(
      false,
    );
  });
});

describe('the new frontend system', () => {
  const apis = [[scorecardsApiRef, testClient()]] as const;
  const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };

  it('provides the client through an API extension', () => {
    const factory = createExtensionTester(scorecardsApi).get(
      ApiBlueprint.dataRefs.factory,
    );
    expect(factory.api.id).toBe(scorecardsApiRef.id);
  });

  it('renders the card, on components by default, with a configurable title', async () => {
    const tester = createExtensionTester(scorecardEntityCard, {
      config: { title: 'Guardrails' },
    });
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction);
    expect(filter?.(checkoutApi)).toBe(true);
    expect(filter?.({ ...checkoutApi, kind: 'Group' })).toBe(false);
    expect(tester.get(EntityCardBlueprint.dataRefs.type)).toBe('info');

    renderInNewApp(
      <EntityProvider entity={checkoutApi}>
        {tester.reactElement()}
      </EntityProvider>,
      { apis, mountedRoutes },
    );
    expect(await screen.findByText('Guardrails')).toBeInTheDocument();
    expect(await screen.findByText('Gold')).toBeInTheDocument();
  });

  it('renders the tab at "scorecard"', async () => {
    const tester = createExtensionTester(scorecardEntityContent, {
      apis: [[translationApiRef, newAppApis.translation()]],
    });
    expect(
      tester.get(EntityContentBlueprint.dataRefs.titleTranslation),
    ).toMatchObject({
      key: 'tab.title',
    });
    renderInNewApp(
      <EntityProvider entity={checkoutApi}>
        {tester.reactElement()}
      </EntityProvider>,
      { apis, mountedRoutes },
    );
    expect(
      await screen.findByRole('button', { name: 'Re-evaluate now' }),
    ).toBeInTheDocument();
  });

  it('renders the rollup card on groups, systems and domains', async () => {
    const tester = createExtensionTester(scorecardRollupEntityCard);
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction);
    for (const kind of ['Group', 'System', 'Domain']) {
      expect(filter?.({ ...commerce, kind })).toBe(true);
    }
    expect(filter?.(checkoutApi)).toBe(false);
    renderInNewApp(
      <EntityProvider entity={commerce}>
        {tester.reactElement()}
      </EntityProvider>,
      { apis, mountedRoutes },
    );
    expect(await screen.findByText('Failing most')).toBeInTheDocument();
  });

  it('makes the org rollup page at /scorecards, with a title and icon for the navigation', async () => {
    const tester = createExtensionTester(scorecardsPage);
    expect(tester.get(coreExtensionData.routePath)).toBe('/scorecards');
    expect(tester.get(coreExtensionData.title)).toBe('Scorecards');
    expect(tester.get(coreExtensionData.icon)).toBeDefined();
    renderInNewApp(tester.reactElement(), { apis, mountedRoutes });
    expect(
      await screen.findByRole('table', { name: 'Groups' }),
    ).toBeInTheDocument();
  });
});
