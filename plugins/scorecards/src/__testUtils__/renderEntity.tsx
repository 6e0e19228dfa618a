import type { Entity } from '@backstage/catalog-model';
import type { RouteRef } from '@backstage/core-plugin-api';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import type { ReactElement } from 'react';
import { scorecardsApiRef, ScorecardsClient } from '../api';

/** An entity of the example catalog, as much of it as the plugin reads. */
export function exampleComponent(
  name: string,
  annotations: Record<string, string> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'backstage.io/edit-url': `https://github.com/northwind-commerce/${name}/edit/main/catalog-info.yaml`,
        ...annotations,
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-checkout' },
  };
}

/** The real client, on the discovery API the tests' msw handlers answer. */
export function testClient() {
  return new ScorecardsClient({
    discoveryApi: mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
    fetchApi: { fetch: (input, init) => fetch(input, init) },
  });
}

/** Renders an element on an entity's page of a legacy test app, with the real client. */
export function renderOnEntityPage(
  element: ReactElement,
  entity: Entity,
  options: {
    routeEntries?: string[];
    mountedRoutes?: Record<string, RouteRef>;
  } = {},
) {
  return renderInTestApp(
    <TestApiProvider apis={[[scorecardsApiRef, testClient()]]}>
      <EntityProvider entity={entity}>{element}</EntityProvider>
    </TestApiProvider>,
    {
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
        ...options.mountedRoutes,
      },
      routeEntries: options.routeEntries,
    },
  );
}
