import { InputError } from '@backstage/errors';
import type {
  EntityHistoryResponse,
  EntityScorecardsResponse,
  ScorecardDefinitions,
} from '@guardrails/plugin-scorecards-common';
import type { Router } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import type { StoredEntityResults } from '../../database';
import { rulePaths } from '../../definitions/rulePaths';
import {
  entityHistoryResponse,
  entityScorecardsResponse,
  errorResponses,
  jsonResponse,
} from '../../schema/responses';
import { entityRefSchema, parse, timestampSchema } from '../validation';
import type { RouteContext } from './context';

// The schemas of the read routes are built once, not per request: zod compiles a parser for
// each object schema the first time it is used, which costs more than the parsing itself.
const entityQuery = z.object({ entityRef: entityRefSchema });
const evaluateBody = z.object({ entityRef: entityRefSchema });
const historyQuery = z.object({
  entityRef: entityRefSchema,
  from: timestampSchema
    .optional()
    .meta({ description: 'Default: 90 days before `to`.' }),
  to: timestampSchema.optional().meta({ description: 'Default: now.' }),
});

/** `/entity` and below in the OpenAPI document. */
export const entityPaths: ZodOpenApiPathsObject = {
  '/entity': {
    get: {
      operationId: 'GetEntityScorecards',
      description:
        'The latest results of every scorecard that applies to one entity. An entity without results is a 200 whose `status` says why; an entity the caller may not read, or that is not in the catalog, is a 404.',
      requestParams: { query: entityQuery },
      responses: {
        200: jsonResponse(
          'The entity’s scorecards, or why it has none.',
          entityScorecardsResponse,
        ),
        ...errorResponses(400, 401, 404),
      },
    },
  },
  '/entity/evaluate': {
    post: {
      operationId: 'EvaluateEntity',
      description:
        'Evaluates one entity now (e.g. after a fix), stores and returns the fresh results.',
      requestBody: {
        required: true,
        content: { 'application/json': { schema: evaluateBody } },
      },
      responses: {
        200: jsonResponse('The fresh results.', entityScorecardsResponse),
        ...errorResponses(400, 401, 404),
      },
    },
  },
  '/entity/history': {
    get: {
      operationId: 'GetEntityHistory',
      description:
        'Changes of one entity’s check statuses, levels and scores, newest first.',
      requestParams: { query: historyQuery },
      responses: {
        200: jsonResponse('The history.', entityHistoryResponse),
        ...errorResponses(400, 401, 404),
      },
    },
  },
};

/** Adds the routes about one entity: its scorecards, a fresh evaluation and its history. */
export function addEntityRoutes(router: Router, ctx: RouteContext) {
  const { httpAuth, store, runner, visibility } = ctx;
  const toView = viewOf(ctx.definitions);

  router.get('/entity', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const { entityRef } = parse(entityQuery, req.query, 'query');
    // Read the results while the catalog says whether the caller may see the entity; they are
    // only used, and their errors only surface, once it does.
    const results = store.getEntityResults(entityRef);
    results.catch(() => {});
    await visibility.assertVisible(entityRef, credentials);
    const stored = await results;
    if (stored) {
      res.json(toView(stored));
      return;
    }
    // No results: say whether they are still to come or never will be. The catalog answers as
    // the caller, so an entity they may not read, or that does not exist, stays a 404.
    const applicable = await runner.applicableScorecards(
      entityRef,
      credentials,
    );
    res.json(withoutResults(entityRef, applicable.length > 0));
  });

  router.post('/entity/evaluate', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const { entityRef } = parse(evaluateBody, req.body, 'body');
    const stored = await runner.evaluateEntity(entityRef, credentials);
    res.json(stored ? toView(stored) : withoutResults(entityRef, false));
  });

  router.get('/entity/history', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const now = ctx.clock();
    const query = parse(historyQuery, req.query, 'query');
    await visibility.assertVisible(query.entityRef, credentials);
    const to = query.to ?? now;
    const from =
      query.from ?? DateTime.fromJSDate(to).minus({ days: 90 }).toJSDate();
    if (from > to) {
      throw new InputError('Invalid query: from must be before to');
    }
    const events = await store.getHistory(query.entityRef, { from, to });
    const body: EntityHistoryResponse = {
      entityRef: query.entityRef,
      from: from.toISOString(),
      to: to.toISOString(),
      events,
    };
    res.json(body);
  });
}

/** Stored results as the API shows them: each scorecard and check with its definition. */
function viewOf(definitions: ScorecardDefinitions) {
  const checksById = new Map(definitions.checks.map(c => [c.id, c]));
  const scorecardsById = new Map(definitions.scorecards.map(s => [s.id, s]));
  const readsById = new Map(
    definitions.checks.map(c => [c.id, rulePaths(c.rule)]),
  );

  return (stored: StoredEntityResults): EntityScorecardsResponse => {
    const results = new Map(stored.checks.map(c => [c.checkId, c]));
    return {
      entityRef: stored.info.entityRef,
      status: 'evaluated',
      evaluatedAt: stored.evaluatedAt,
      updatedAt: stored.updatedAt,
      ...(stored.waiverProblems && { waiverProblems: stored.waiverProblems }),
      scorecards: stored.scorecards.flatMap(result => {
        const scorecard = scorecardsById.get(result.scorecardId);
        if (!scorecard) return [];
        return [
          {
            ...result,
            title: scorecard.title,
            description: scorecard.description,
            levels: scorecard.levels,
            checks: scorecard.checks.flatMap(id => {
              const check = checksById.get(id);
              const r = results.get(id);
              if (!check || !r) return [];
              return [
                {
                  ...r,
                  title: check.title,
                  description: check.description,
                  category: check.category,
                  severity: check.severity,
                  remediation: check.remediation,
                  links: check.links,
                  enforcedFrom: check.enforcedFrom,
                  reads: readsById.get(id) ?? [],
                },
              ];
            }),
          },
        ];
      }),
    };
  };
}

function withoutResults(
  entityRef: string,
  applicable: boolean,
): EntityScorecardsResponse {
  return applicable
    ? {
        entityRef,
        status: 'not-evaluated',
        reason: `${entityRef} has not been evaluated yet; it will be in the next run, or when it is re-evaluated`,
        scorecards: [],
      }
    : {
        entityRef,
        status: 'not-applicable',
        reason: `No scorecard applies to ${entityRef}`,
        scorecards: [],
      };
}
