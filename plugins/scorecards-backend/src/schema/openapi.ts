import { createDocument } from 'zod-openapi';
import { definitionsPaths } from '../service/routes/definitions';
import { entitiesPaths } from '../service/routes/entities';
import { entityPaths } from '../service/routes/entity';
import { factsPaths } from '../service/routes/facts';
import { heatmapPaths } from '../service/routes/heatmap';
import { indicatorsPaths } from '../service/routes/indicators';
import { rollupPaths } from '../service/routes/rollup';
import { runsPaths } from '../service/routes/runs';
import { trendsPaths } from '../service/routes/trends';
import { waiversPaths } from '../service/routes/waivers';
import { errorResponse, jsonResponse } from './responses';

const error = (description: string) => jsonResponse(description, errorResponse);

/**
 * The OpenAPI document of the REST API, from the zod schemas that the routes validate their
 * input with and the shapes of their answers. `yarn openapi:generate` writes it to
 * `src/schema/openapi.yaml`.
 */
export function createOpenApiDocument(): ReturnType<typeof createDocument> {
  return createDocument(
    {
      openapi: '3.1.0',
      info: {
        title: 'scorecards',
        version: '1',
        description: [
          'Guardrails Scorecards: per-entity scorecards, org rollups, trends, facts and waivers.',
          'Served under `/api/scorecards`. Every route but `/health` requires a Backstage token',
          '(user or service). Every answer counts and names only entities the caller can read in the',
          'catalog: answers about one entity are otherwise 404; lists, totals, rollups and trends',
          'cover only what the caller can read, and a scope the caller cannot read is a 404.',
        ].join('\n'),
        license: { name: 'Apache-2.0' },
      },
      servers: [{ url: '/' }],
      security: [{ JWT: [] }],
      paths: {
        ...definitionsPaths,
        ...entityPaths,
        ...rollupPaths,
        ...heatmapPaths,
        ...indicatorsPaths,
        ...entitiesPaths,
        ...trendsPaths,
        ...factsPaths,
        ...waiversPaths,
        ...runsPaths,
      },
      components: {
        securitySchemes: {
          JWT: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
        responses: {
          BadRequest: error(
            'The request’s parameters or body are invalid; the message says which and why.',
          ),
          Unauthorized: error('No valid Backstage token.'),
          Forbidden: error('The permission policy denies the action.'),
          NotFound: error(
            'No such entity (or the caller cannot read it), scorecard, check or waiver.',
          ),
        },
      },
    },
    {
      override: ({ jsonSchema, zodSchema, io }) => {
        // zod leaves out the default of a value it transforms, such as a number in a query
        // string; what the route takes is that number.
        const def = zodSchema._zod.def;
        if (io === 'input' && def.type === 'default') {
          jsonSchema.default ??= def.defaultValue;
        }
        // zod bounds every integer by the safe integers, which tells a reader nothing.
        if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) {
          delete jsonSchema.minimum;
        }
        if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) {
          delete jsonSchema.maximum;
        }
        // Answers may gain fields; a client should not reject them.
        if (io === 'output' && jsonSchema.additionalProperties === false) {
          delete jsonSchema.additionalProperties;
        }
      },
    },
  );
}
