import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { RunsResponse } from '@guardrails/plugin-scorecards-common';
import type { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { withAbandoned } from '../../run/EvaluationRunner';
import {
  errorResponses,
  jsonResponse,
  runsResponse,
} from '../../schema/responses';
import { parse, queryNumber } from '../validation';
import type { RouteContext } from './context';

const runsQuery = z.object({
  limit: queryNumber(z.number().int().min(1).max(100)).default(20),
});

/** `/runs` in the OpenAPI document. */
export const runsPaths: ZodOpenApiPathsObject = {
  '/runs': {
    get: {
      operationId: 'ListRuns',
      description:
        'The most recent evaluation runs, newest first. A run still recorded as running after the schedule’s timeout is shown as `abandoned`. For a caller who cannot read every entity, runs leave out `entities`, `changed`, `removed` and `error`.',
      requestParams: { query: runsQuery },
      responses: {
        200: jsonResponse('The runs.', runsResponse),
        ...errorResponses(400, 401),
      },
    },
  },
};

/** Adds the most recent evaluation runs. */
export function addRunsRoutes(router: Router, ctx: RouteContext) {
  router.get('/runs', async (req, res) => {
    const credentials = await ctx.httpAuth.credentials(req);
    const { limit } = parse(runsQuery, req.query, 'query');
    const now = ctx.clock();
    const [runs, { result }] = await Promise.all([
      ctx.store.listRuns(limit),
      ctx.visibility.decision(credentials),
    ]);
    const body: RunsResponse = {
      items: runs.map(run => {
        const shown = withAbandoned(run, now, ctx.runTimeout);
        if (result === AuthorizeResult.ALLOW) {
          return shown;
        }
        // How many entities a run evaluated counts those the caller may not read too; its
        // error may name one.
        const { entities, changed, removed, error, ...times } = shown;
        return times;
      }),
    };
    res.json(body);
  });
}
