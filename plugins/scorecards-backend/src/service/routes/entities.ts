import { InputError, NotFoundError } from '@backstage/errors';
import type { EntitiesPageResponse } from '@guardrails/plugin-scorecards-common';
import type { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { entitiesPageResponse, errorResponses } from '../../schema/responses';
import { toCsv } from '../csv';
import {
  MAX_PAGE,
  parse,
  queryNumber,
  scopeSchema,
  scorecardSchema,
} from '../validation';
import type { RouteContext } from './context';

const MAX_PAGE_SIZE = 500;

const sortFields = ['score', 'level', 'name', 'failing', 'since'] as const;

const entitiesQuery = z.object({
  scorecard: scorecardSchema,
  scope: scopeSchema,
  kind: z.string().optional(),
  type: z.string().optional(),
  level: z.string().optional().meta({
    description: 'A level of the scorecard, or `none`; another name is a 400.',
  }),
  failingCheck: z.string().optional().meta({
    description:
      'A check of the scorecard; an unknown check is a 404, one of another scorecard a 400.',
  }),
  minScore: queryNumber(z.number().min(0).max(100))
    .optional()
    .meta({ description: 'At most `maxScore`.' }),
  maxScore: queryNumber(z.number().min(0).max(100)).optional(),
  q: z
    .string()
    .max(200)
    .optional()
    .meta({ description: 'Substring of the ref or title.' }),
  sort: z
    .string()
    .default('score')
    .transform((value, ctx) => {
      // A `+` in a query string reads as a space: `sort=+score` arrives as ' score'.
      const order = value.startsWith('-') ? 'desc' : 'asc';
      const field = value.replace(/^[-+ ]/, '');
      if (!(sortFields as readonly string[]).includes(field)) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown sort '${value}'; expected one of ${sortFields.join(
            ', ',
          )}, optionally prefixed with -`,
        });
        return z.NEVER;
      }
      return {
        field: field as (typeof sortFields)[number],
        order,
      } as const;
    })
    .meta({
      description: `One of ${sortFields.join(
        ', ',
      )}; prefix with \`-\` for descending (\`+\` or nothing for ascending).`,
    }),
  page: queryNumber(z.number().int().min(1).max(MAX_PAGE)).default(1),
  pageSize: queryNumber(z.number().int().min(1).max(MAX_PAGE_SIZE)).default(50),
  format: z.enum(['json', 'csv']).default('json'),
});

/** `/entities` in the OpenAPI document. */
export const entitiesPaths: ZodOpenApiPathsObject = {
  '/entities': {
    get: {
      operationId: 'ListEntities',
      description:
        'The drill-down, one page at a time or as CSV; only entities the caller can read, filtered before `total` is counted and the page is cut.',
      requestParams: { query: entitiesQuery },
      responses: {
        200: {
          description: 'A page of entities, or every matching entity as CSV.',
          content: {
            'application/json': { schema: entitiesPageResponse },
            'text/csv': { schema: z.string() },
          },
        },
        ...errorResponses(400, 401, 404),
      },
    },
  },
};

/** Adds the drill-down: the entities of a scorecard, filtered, sorted and paged. */
export function addEntitiesRoutes(router: Router, ctx: RouteContext) {
  const { httpAuth, rollups, store, visibility } = ctx;
  const checkIds = new Set(ctx.definitions.checks.map(c => c.id));

  router.get('/entities', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const query = parse(entitiesQuery, req.query, 'query');
    const scorecardId = query.scorecard ?? ctx.defaultScorecard;
    const scorecard = rollups.scorecard(scorecardId);
    const visible = await visibility.visible(credentials);
    // A filter that can match nothing is a mistake to report, not an empty page.
    const levels = [...scorecard.levels.map(l => l.name), 'none'];
    if (query.level !== undefined && !levels.includes(query.level)) {
      throw new InputError(
        `Invalid query: level: unknown level '${query.level}' of scorecard '${
          scorecard.id
        }'; expected one of ${levels.join(', ')}`,
      );
    }
    if (query.failingCheck && !checkIds.has(query.failingCheck)) {
      throw new NotFoundError(`No check '${query.failingCheck}'`);
    }
    if (query.failingCheck && !scorecard.checks.includes(query.failingCheck)) {
      throw new InputError(
        `Invalid query: failingCheck: check '${query.failingCheck}' is not part of scorecard '${scorecard.id}'`,
      );
    }
    if (
      query.minScore !== undefined &&
      query.maxScore !== undefined &&
      query.minScore > query.maxScore
    ) {
      throw new InputError(
        'Invalid query: minScore must not be greater than maxScore',
      );
    }
    // What the caller may not read is filtered out before counting and paging: a total or a
    // short page would otherwise tell that it exists.
    const filter = {
      ...(await rollups.scopeFilter(query.scope, visible)),
      ...(visible !== 'all' && { entityRefs: [...visible] }),
      scorecardId,
      kind: query.kind,
      type: query.type,
      level: query.level === 'none' ? null : query.level,
      failingCheck: query.failingCheck,
      minScore: query.minScore,
      maxScore: query.maxScore,
      search: query.q,
    };

    if (query.format === 'csv') {
      const { rows } = await store.listScores(filter, { sort: query.sort });
      res
        .type('text/csv')
        .attachment(`scorecards-${scorecardId}.csv`)
        .send(toCsv(rows));
      return;
    }

    const { rows, total } = await store.listScores(filter, {
      sort: query.sort,
      offset: (query.page - 1) * query.pageSize,
      limit: query.pageSize,
    });
    const body: EntitiesPageResponse = {
      scorecardId,
      total,
      page: query.page,
      pageSize: query.pageSize,
      items: rows,
    };
    res.json(body);
  });
}
