import type { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { defaultIndicators } from '../../definitions/readIndicators';
import {
  errorResponses,
  indicatorsResponse,
  jsonResponse,
} from '../../schema/responses';
import { IndicatorService } from '../indicators';
import { parse, scopeSchema } from '../validation';
import type { RouteContext } from './context';

const indicatorsQuery = z.object({
  scope: scopeSchema,
});

/** `/indicators` in the OpenAPI document. */
export const indicatorsPaths: ZodOpenApiPathsObject = {
  '/indicators': {
    get: {
      operationId: 'GetIndicators',
      description:
        'The headline indicators configured under `scorecards.indicators` (by default: the share of production services at Silver or above, with an SLO, with alerts routed to on-call and with a current security review), for a scope: each counts the evaluated entities of the scope that match its `entities` predicate and that the caller can read, now and 30 days ago. A level measure is the share of them at or above the level; a check measure the share of those the check counts for (pass or waived against fail or error, as the heatmap counts) that pass it or are waived; a fact measure the median, mean or 90th percentile of the numeric values of the fact, with how many of the values counted now are fresh. The value 30 days ago comes from the history: each entity’s standing then, or its latest observation of the fact then, counting the entities that match the predicate now. An answer is kept for up to a minute while the results stand, so a fact pushed meanwhile shows within a minute.',
      requestParams: { query: indicatorsQuery },
      responses: {
        200: jsonResponse(
          'The indicators, in configured order.',
          indicatorsResponse,
        ),
        ...errorResponses(400, 401, 404),
      },
    },
  },
};

/** Adds the headline indicators of a scope. */
export function addIndicatorsRoutes(router: Router, ctx: RouteContext) {
  const service = new IndicatorService({
    store: ctx.store,
    rollups: ctx.rollups,
    definitions: ctx.definitions,
    indicators: ctx.indicators ?? defaultIndicators(ctx.definitions),
  });
  router.get('/indicators', async (req, res) => {
    const credentials = await ctx.httpAuth.credentials(req);
    const query = parse(indicatorsQuery, req.query, 'query');
    res.json(
      await service.indicators({
        scope: query.scope,
        visible: await ctx.visibility.visible(credentials),
        now: ctx.clock(),
      }),
    );
  });
}
