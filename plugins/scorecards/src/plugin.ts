import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { scorecardsApiRef, ScorecardsClient } from './api';
import { rootRouteRef } from './routes';
import type { EntityScorecardCardProps } from './components/EntityScorecardCard';
import type { EntityScorecardContentProps } from './components/EntityScorecardContent';
import type { EntityScorecardRollupCardProps } from './components/EntityScorecardRollupCard';
import type { ScorecardsPageProps } from './components/ScorecardsPage';

/**
 * The scorecards plugin for the legacy frontend system.
 *
 * @public
 */
export const scorecardsPlugin = createPlugin({
  id: 'scorecards',
  apis: [
    createApiFactory({
      api: scorecardsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new ScorecardsClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    root: rootRouteRef,
  },
});

/**
 * The org rollup page (legacy frontend system), for a route such as
 * `<Route path="/scorecards" element={<ScorecardsPage />} />`.
 *
 * @public
 */
export const ScorecardsPage: (props: ScorecardsPageProps) => JSX.Element =
  scorecardsPlugin.provide(
    createRoutableExtension({
      name: 'ScorecardsPage',
      component: () =>
        import('./components/ScorecardsPage').then(m => m.ScorecardsPage),
      mountPoint: rootRouteRef,
    }),
  );

/**
 * The summary card for an entity's overview tab (legacy frontend system).
 *
 * @public
 */
export const EntityScorecardCard: (
  props: EntityScorecardCardProps,
) => JSX.Element = scorecardsPlugin.provide(
  createComponentExtension({
    name: 'EntityScorecardCard',
    component: {
      lazy: () =>
        import('./components/EntityScorecardCard').then(
          m => m.EntityScorecardCard,
        ),
    },
  }),
);

/**
 * The "Scorecard" tab of an entity page (legacy frontend system), for an
 * `EntityLayout.Route` at `/scorecard`.
 *
 * @public
 */
export const EntityScorecardContent: (
  props: EntityScorecardContentProps,
) => JSX.Element = scorecardsPlugin.provide(
  createComponentExtension({
    name: 'EntityScorecardContent',
    component: {
      lazy: () =>
        import('./components/EntityScorecardContent').then(
          m => m.EntityScorecardContent,
        ),
    },
  }),
);

/**
 * The rollup card for Group, System and Domain pages (legacy frontend system).
 *
 * @public
 */
export const EntityScorecardRollupCard: (
  props: EntityScorecardRollupCardProps,
) => JSX.Element = scorecardsPlugin.provide(
  createComponentExtension({
    name: 'EntityScorecardRollupCard',
    component: {
      lazy: () =>
        import('./components/EntityScorecardRollupCard').then(
          m => m.EntityScorecardRollupCard,
        ),
    },
  }),
);
