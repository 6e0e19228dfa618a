import type { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import {
  errorResponses,
  heatmapResponse,
  jsonResponse,
} from '../../schema/responses';
import { parse, scopeSchema, scorecardSchema } from '../validation';
import type { RouteContext } from './context';

const heatmapQuery = z.object({
  scorecard: scorecardSchema,
  scope: scopeSchema,
  axis: z.enum(['check', 'category']).default('check').meta({
    description: 'The columns: the scorecard’s checks or categories.',
  }),
});

/** `/heatmap` in the OpenAPI document. */
export const heatmapPaths: ZodOpenApiPathsObject = {
  '/heatmap': {
    get: {
      operationId: 'GetHeatmap',
      description:
        'The scope’s child groups against the scorecard’s checks or categories: for the whole organisation the groups below its root, for a group its child groups (or itself when it has none), for a Domain its Systems, for a System the groups that own its entities. A group’s row counts every group below it. Each cell has the results counted, how many pass (or are waived), how many fail (or are in error) and the pass rate; a cell’s `fail` for a check equals the total of `GET /entities` with the row as scope and the check as `failingCheck`. Only what the caller may read is counted and named.',
      requestParams: { query: heatmapQuery },
      responses: {
        200: jsonResponse('The heatmap.', heatmapResponse),
        ...errorResponses(400, 401, 404),
      },
    },
  },
};

/** Adds the heatmap of a scope's child groups against checks or categories. */
export function addHeatmapRoutes(router: Router, ctx: RouteContext) {
  router.get('/heatmap', async (req, res) => {
    const credentials = await ctx.httpAuth.credentials(req);
    const query = parse(heatmapQuery, req.query, 'query');
    res.json(
      await ctx.rollups.heatmap({
        scorecardId: query.scorecard ?? ctx.defaultScorecard,
        scope: query.scope,
        axis: query.axis,
        visible: await ctx.visibility.visible(credentials),
      }),
    );
  });
}
