import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import {
  ApiBlueprint,
  createFrontendPlugin,
  PageBlueprint,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import type { FilterPredicate } from '@backstage/filter-predicates';
import { z } from 'zod/v4';
import AssessmentIcon from '@material-ui/icons/Assessment';
import { scorecardsApiRef, ScorecardsClient } from './api';
import { rootRouteRef } from './routes';
import { scorecardsTranslationRef } from './translation';

/** The kinds the built-in "Production readiness" scorecard applies to. */
const DEFAULT_FILTER: FilterPredicate = { kind: 'component' };

/**
 * The scorecards API, on the discovery and fetch APIs.
 *
 * @alpha
 */
export const scorecardsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: scorecardsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new ScorecardsClient({ discoveryApi, fetchApi }),
    }),
});

/**
 * The summary card on an entity's overview. Config: `scorecard` (the id of the one scorecard
 * to show), `title`, `tabPath`, and the blueprint's own `filter` and `type`.
 *
 * @alpha
 */
export const scorecardEntityCard = EntityCardBlueprint.makeWithOverrides({
  name: 'scorecard',
  configSchema: {
    scorecard: z.string().optional(),
    title: z.string().optional(),
    tabPath: z.string().optional(),
  },
  factory(originalFactory, { config }) {
    return originalFactory({
      type: 'info',
      filter: DEFAULT_FILTER,
      loader: () =>
        import('./components/EntityScorecardCard').then(m => (
          <m.EntityScorecardCard
            scorecard={config.scorecard}
            title={config.title}
            tabPath={config.tabPath}
          />
        )),
    });
  },
});

/**
 * The rollup card on Group, System and Domain pages: how what they own or contain stands.
 * Config: `scorecard`, `title`, and the blueprint's own `filter` and `type`.
 *
 * @alpha
 */
export const scorecardRollupEntityCard = EntityCardBlueprint.makeWithOverrides({
  name: 'rollup',
  configSchema: {
    scorecard: z.string().optional(),
    title: z.string().optional(),
  },
  factory(originalFactory, { config }) {
    return originalFactory({
      type: 'info',
      filter: { kind: { $in: ['group', 'system', 'domain'] } },
      loader: () =>
        import('./components/EntityScorecardRollupCard').then(m => (
          <m.EntityScorecardRollupCard
            scorecard={config.scorecard}
            title={config.title}
          />
        )),
    });
  },
});

/**
 * The "Scorecard" tab of an entity page, at `scorecard`. Config: `scorecard` (the id of the one
 * scorecard to show), and the blueprint's own `path`, `title`, `group` and `filter`.
 *
 * @alpha
 */
export const scorecardEntityContent = EntityContentBlueprint.makeWithOverrides({
  name: 'scorecard',
  configSchema: {
    scorecard: z.string().optional(),
  },
  factory(originalFactory, { config }) {
    return originalFactory({
      path: 'scorecard',
      title: scorecardsTranslationRef('tab.title'),
      filter: DEFAULT_FILTER,
      loader: () =>
        import('./components/EntityScorecardContent').then(m => (
          <m.EntityScorecardContent scorecard={config.scorecard} />
        )),
    });
  },
});

/**
 * The org rollup page at `/scorecards`, with its item in the app's navigation. Config: the
 * blueprint's own `path` and `title`.
 *
 * @alpha
 */
export const scorecardsPage = PageBlueprint.make({
  params: {
    path: '/scorecards',
    title: 'Scorecards',
    icon: <AssessmentIcon />,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    noHeader: true,
    loader: () =>
      import('./components/ScorecardsPage').then(m => <m.ScorecardsPage />),
  },
});

/**
 * The scorecards plugin for the new frontend system: the API, the org rollup page, the entity
 * cards and the entity content.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'scorecards',
  info: { packageJson: () => import('../package.json') },
  routes: {
    root: convertLegacyRouteRef(rootRouteRef),
  },
  extensions: [
    scorecardsApi,
    scorecardsPage,
    scorecardEntityCard,
    scorecardEntityContent,
    scorecardRollupEntityCard,
  ],
});
