import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import Router from 'express-promise-router';
import { defaultScorecardId } from '../definitions';
import { CatalogVisibility } from './CatalogVisibility';
import type {
  RouteContext,
  RouterOptions,
  WriteRequest,
} from './routes/context';
import { addDefinitionsRoutes } from './routes/definitions';
import { addEntitiesRoutes } from './routes/entities';
import { addEntityRoutes } from './routes/entity';
import { addFactsRoutes } from './routes/facts';
import { addHeatmapRoutes } from './routes/heatmap';
import { addIndicatorsRoutes } from './routes/indicators';
import { addRollupRoutes } from './routes/rollup';
import { addRunsRoutes } from './routes/runs';
import { addTrendsRoutes } from './routes/trends';
import { addWaiversRoutes } from './routes/waivers';

export type { RouterOptions } from './routes/context';

/**
 * Creates the REST API served under `/api/scorecards`. Each resource's routes, with the schemas
 * that validate their input and describe them in `src/schema/openapi.yaml`, live in `routes/`.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const clock = options.clock ?? (() => new Date());
  const ctx: RouteContext = {
    ...options,
    clock,
    visibility: new CatalogVisibility({
      permissions: options.permissions,
      catalog: options.catalog,
      kinds: () => options.rollups.kinds(),
      clock: () => clock().getTime(),
    }),
    authorize: (credentials, request) =>
      authorize(options.permissions, credentials, request),
    defaultScorecard: defaultScorecardId(options.definitions) ?? '',
  };

  const router = Router();
  // Not strict: `null` or `"text"` is valid JSON, and the route says what it expected instead.
  router.use(express.json({ limit: '2mb', strict: false }));
  addDefinitionsRoutes(router, ctx);
  addEntityRoutes(router, ctx);
  addRollupRoutes(router, ctx);
  addHeatmapRoutes(router, ctx);
  addIndicatorsRoutes(router, ctx);
  addEntitiesRoutes(router, ctx);
  addTrendsRoutes(router, ctx);
  addFactsRoutes(router, ctx);
  addWaiversRoutes(router, ctx);
  addRunsRoutes(router, ctx);
  return router;
}

async function authorize(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
  request: WriteRequest,
) {
  const [decision] = await permissions.authorize([request], { credentials });
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      `Permission ${request.permission.name} is required`,
    );
  }
}
