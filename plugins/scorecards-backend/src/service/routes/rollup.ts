import type { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import {
  errorResponses,
  jsonResponse,
  rollupResponse,
} from '../../schema/responses';
import { InputError } from '@backstage/errors';
import {
  parse,
  queryNumber,
  scopeSchema,
  scorecardSchema,
} from '../validation';
import type { RouteContext } from './context';

const rollupQuery = z.object({
  scorecard: scorecardSchema,
  by: z
    .enum(['group', 'system', 'domain', 'check', 'category'])
    .default('group'),
  scope: scopeSchema,
  depth: queryNumber(z.number().int().min(1).max(100)).optional().meta({
    description:
      'By group only: how many levels of groups below the top to include; the groups at the last level come without children and say in `hasChildren` whether they have some. `depth=1` with a group `scope` is that group and its direct children.',
  }),
});

/** `/rollup` in the OpenAPI document. */
export const rollupPaths: ZodOpenApiPathsObject = {
  '/rollup': {
    get: {
      operationId: 'GetRollup',
      description:
        'One scorecard aggregated by owner group (a tree, each group counting every group below it), by System, by Domain, by check or by category. Aggregates cover every evaluated entity of the scope the caller can read: the group tree holds only Groups, and the rows only Systems and Domains, the caller can read. By group, entities owned by a User are counted in `ownedByUsers` and those without an owner the catalog has (or owned by something else) in `unowned`; by System or Domain, entities in none are counted in `unassigned`.',
      requestParams: { query: rollupQuery },
      responses: {
        200: jsonResponse(
          'The summary, and the groups, rows or both, as `by` says.',
          rollupResponse,
        ),
        ...errorResponses(400, 401, 404),
      },
    },
  },
};

/** Adds the rollup of one scorecard along one dimension. */
export function addRollupRoutes(router: Router, ctx: RouteContext) {
  router.get('/rollup', async (req, res) => {
    const credentials = await ctx.httpAuth.credentials(req);
    const query = parse(rollupQuery, req.query, 'query');
    if (query.depth !== undefined && query.by !== 'group') {
      throw new InputError(
        `Invalid query: depth: only the group tree has levels; use it with by=group, not by=${query.by}`,
      );
    }
    // The same text for every caller with the same view of an unchanged store.
    const answer = await ctx.rollups.rollupAnswer({
      scorecardId: query.scorecard ?? ctx.defaultScorecard,
      by: query.by,
      scope: query.scope,
      visible: await ctx.visibility.visible(credentials),
      depth: query.depth,
    });
    // With the tag set, Express neither hashes the body again nor sends it to a caller who has it.
    res.type('application/json').set('ETag', answer.etag).send(answer.body);
  });
}
