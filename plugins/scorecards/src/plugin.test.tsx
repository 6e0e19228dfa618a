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
  translationApiRef,
} from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis as newAppApis,
  renderInTestApp as renderInNewApp,
} from '@backstage/frontend-test-utils';
import { mockApis, registerMswTestHooks } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { setupServer } from 'msw/node';
import {
  scorecardEntityCard,
  scorecardEntityContent,
  scorecardsApi,
} from './alpha';
import { scorecardsApiRef, ScorecardsClient } from './api';
import {
  EntityScorecardCard,
  EntityScorecardContent,
  isScorecardAvailable,
  scorecardsPlugin,
} from './index';
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
    ]),
  );
});

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
});
