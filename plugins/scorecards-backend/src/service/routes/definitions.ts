import type { DefinitionsResponse } from '@guardrails/plugin-scorecards-common';
import type { Router } from 'express';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import {
  definitionsResponse,
  errorResponses,
  healthResponse,
  jsonResponse,
} from '../../schema/responses';
import type { RouteContext } from './context';

/** `/health` and `/definitions` in the OpenAPI document. */
export const definitionsPaths: ZodOpenApiPathsObject = {
  '/health': {
    get: {
      operationId: 'GetHealth',
      description: 'Liveness of the plugin. Needs no token.',
      security: [],
      responses: { 200: jsonResponse('Up.', healthResponse) },
    },
  },
  '/definitions': {
    get: {
      operationId: 'GetDefinitions',
      description: 'Every check and scorecard, as configured.',
      responses: {
        200: jsonResponse('The definitions.', definitionsResponse),
        ...errorResponses(401),
      },
    },
  },
};

/** Adds the liveness route and the definitions. */
export function addDefinitionsRoutes(router: Router, ctx: RouteContext) {
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/definitions', async (req, res) => {
    await ctx.httpAuth.credentials(req);
    const body: DefinitionsResponse = ctx.definitions;
    res.json(body);
  });
}
