import { InputError } from '@backstage/errors';
import { scorecardsFactWritePermission } from '@guardrails/plugin-scorecards-common';
import type { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import type { ScorecardsStore } from '../../database';
import {
  errorResponses,
  factsAcceptedResponse,
  factsPageResponse,
  jsonResponse,
} from '../../schema/responses';
import { audited } from '../audit';
import {
  durationSchema,
  entityRefSchema,
  factValueSchema,
  MAX_FACT_BYTES,
  MAX_FACT_DEPTH,
  MAX_PAGE,
  parse,
  queryNumber,
  timestampSchema,
} from '../validation';
import { principalRef, type RouteContext } from './context';

const MAX_FACTS_PER_REQUEST = 1000;
/** The most facts (names) one entity may have, whether or not the catalog has it yet. */
export const MAX_FACTS_PER_ENTITY = 100;
const MAX_FACTS_PAGE_SIZE = 100;

/** The body of `POST /facts`; `now` decides which observations are in the future. */
function factsBody(now: Date) {
  return z.object({
    facts: z
      .array(
        z.object({
          entityRef: entityRefSchema,
          name: z
            .string()
            .regex(
              /^[a-zA-Z][a-zA-Z0-9_-]{0,62}$/,
              'a fact name starts with a letter and holds letters, digits, _ and - (rules read it as facts.<name>)',
            ),
          value: factValueSchema.meta({
            description: `Any JSON, nested at most ${MAX_FACT_DEPTH} levels deep and at most ${MAX_FACT_BYTES} bytes as JSON.`,
          }),
          observedAt: timestampSchema
            .refine(d => d.getTime() <= now.getTime() + 5 * 60_000, {
              message: 'observedAt is in the future',
            })
            .optional()
            .meta({ description: 'Default: now.' }),
          freshFor: durationSchema
            .optional()
            .meta({ description: 'ISO-8601 duration, e.g. P30D.' }),
          source: z.string().max(200).optional(),
        }),
      )
      .min(1)
      .max(MAX_FACTS_PER_REQUEST),
  });
}

const factsQuery = z.object({
  entityRef: entityRefSchema,
  page: queryNumber(z.number().int().min(1).max(MAX_PAGE)).default(1),
  pageSize: queryNumber(
    z.number().int().min(1).max(MAX_FACTS_PAGE_SIZE),
  ).default(50),
});

/** `/facts` in the OpenAPI document. */
export const factsPaths: ZodOpenApiPathsObject = {
  '/facts': {
    get: {
      operationId: 'GetFacts',
      description:
        'Facts pushed about one entity, by name, one page at a time.',
      requestParams: { query: factsQuery },
      responses: {
        200: jsonResponse(
          'One page of the facts, and how many the entity has.',
          factsPageResponse,
        ),
        ...errorResponses(400, 401, 404),
      },
    },
    post: {
      operationId: 'PushFacts',
      description: `Pushes up to ${MAX_FACTS_PER_REQUEST} facts, each replacing the previous value of (entity, name). Needs the \`${scorecardsFactWritePermission.name}\` permission. Rules read a fact as \`facts.<name>\`; the next evaluation of the entity uses it. An entity may have at most ${MAX_FACTS_PER_ENTITY} facts (names), whether or not the catalog has it yet; facts of an entity the catalog does not have are pruned once stale (past \`freshFor\`, or 30 days after \`observedAt\` without one).`,
      requestBody: {
        required: true,
        // Refinements do not show in the document, so any time will do.
        content: { 'application/json': { schema: factsBody(new Date(0)) } },
      },
      responses: {
        202: jsonResponse('Accepted.', factsAcceptedResponse),
        ...errorResponses(400, 401, 403),
      },
    },
  },
};

/** Adds the facts other systems push about entities, and their reading back. */
export function addFactsRoutes(router: Router, ctx: RouteContext) {
  const { httpAuth, store, visibility } = ctx;

  router.post('/facts', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const now = ctx.clock();
    const body = parse(factsBody(now), req.body, 'facts');
    await ctx.authorize(credentials, {
      permission: scorecardsFactWritePermission,
    });
    await assertFactsFit(store, body.facts);
    await audited(
      ctx.auditor,
      {
        eventId: 'fact-write',
        severityLevel: 'low',
        request: req,
        meta: {
          count: body.facts.length,
          entityRefs: [...new Set(body.facts.map(f => f.entityRef))].slice(
            0,
            100,
          ),
        },
      },
      () =>
        store.upsertFacts(
          body.facts.map(f => ({
            entityRef: f.entityRef,
            name: f.name,
            value: f.value,
            observedAt: (f.observedAt ?? now).toISOString(),
            freshFor: f.freshFor?.toISO() ?? undefined,
            source: f.source ?? principalRef(credentials),
          })),
        ),
    );
    res.status(202).json({ accepted: body.facts.length });
  });

  router.get('/facts', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const { entityRef, page, pageSize } = parse(factsQuery, req.query, 'query');
    await visibility.assertVisible(entityRef, credentials);
    const { facts, total } = await store.listFacts(entityRef, {
      offset: (page - 1) * pageSize,
      limit: pageSize,
    });
    res.json({ facts, total, page, pageSize });
  });
}

/**
 * Throws 400 unless every entity keeps at most {@link MAX_FACTS_PER_ENTITY} facts once these
 * are stored; a name it already has replaces a fact rather than adding one.
 */
async function assertFactsFit(
  store: ScorecardsStore,
  facts: Array<{ entityRef: string; name: string }>,
) {
  const incoming = new Map<string, Set<string>>();
  for (const { entityRef, name } of facts) {
    incoming.set(entityRef, (incoming.get(entityRef) ?? new Set()).add(name));
  }
  const stored = await store.getFactNames([...incoming.keys()]);
  for (const [entityRef, names] of incoming) {
    const count = new Set([...(stored.get(entityRef) ?? []), ...names]).size;
    if (count > MAX_FACTS_PER_ENTITY) {
      // Not how many: the caller may not be able to read the entity and what it has.
      throw new InputError(
        `Invalid facts: ${entityRef} would have more than ${MAX_FACTS_PER_ENTITY} facts (each name is one fact)`,
      );
    }
  }
}
