import { InputError } from '@backstage/errors';
import type { Router } from 'express';
import { DateTime, Duration } from 'luxon';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import {
  errorResponses,
  jsonResponse,
  trendsResponse,
} from '../../schema/responses';
import {
  durationSchema,
  parse,
  scopeSchema,
  scorecardSchema,
  timestampSchema,
} from '../validation';
import type { RouteContext } from './context';

const trendsQuery = z.object({
  scorecard: scorecardSchema,
  scope: scopeSchema,
  from: timestampSchema
    .optional()
    .meta({ description: 'Default: 12 weeks before `to`.' }),
  to: timestampSchema.optional().meta({ description: 'Default: now.' }),
  interval: durationSchema.optional().meta({
    description:
      'ISO-8601 duration between points (default P1W); at most 400 points.',
  }),
});

/** `/trends` in the OpenAPI document. */
export const trendsPaths: ZodOpenApiPathsObject = {
  '/trends': {
    get: {
      operationId: 'GetTrends',
      description:
        'A scope’s standing at regular points over a window, and the entities that improved or regressed most by their own changes. A point after a change of the scorecard’s definitions has `definitionsChanged: true`; score changes that came with it count for no one. An entity that appeared in the window neither improved nor regressed: it is among `new`. Each mover names the checks whose status changed (`causes`); `teams` ranks the groups owning the scope’s entities directly by the change of their entities’ mean score.',
      requestParams: { query: trendsQuery },
      responses: {
        200: jsonResponse('The trend.', trendsResponse),
        ...errorResponses(400, 401, 404),
      },
    },
  },
};

/** Adds a scope's standing over time. */
export function addTrendsRoutes(router: Router, ctx: RouteContext) {
  router.get('/trends', async (req, res) => {
    const credentials = await ctx.httpAuth.credentials(req);
    const now = ctx.clock();
    const query = parse(trendsQuery, req.query, 'query');
    const to = query.to ?? now;
    const from =
      query.from ?? DateTime.fromJSDate(to).minus({ weeks: 12 }).toJSDate();
    if (from > to) {
      throw new InputError('Invalid query: from must be before to');
    }
    res.json(
      await ctx.rollups.trends({
        scorecardId: query.scorecard ?? ctx.defaultScorecard,
        scope: query.scope,
        from,
        to,
        interval: query.interval ?? Duration.fromObject({ weeks: 1 }),
        visible: await ctx.visibility.visible(credentials),
      }),
    );
  });
}
