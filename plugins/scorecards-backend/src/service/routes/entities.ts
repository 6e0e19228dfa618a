import { InputError, NotFoundError } from '@backstage/errors';
import type { EntitiesPageResponse } from '@guardrails/plugin-scorecards-common';
import type { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { entitiesPageResponse, errorResponses } from '../../schema/responses';
import { isScoreKey, scoreKey } from '../../database';
import type { ScoreKey, ScorePage } from '../../database';
import { csvHeader, csvLines } from '../csv';
import {
  decodeCursor,
  encodeCursor,
  EntitiesCursor,
  MAX_CURSOR_LENGTH,
} from '../entitiesCursor';
import { PageTotals } from '../pageTotals';
import {
  entityRefOfKind,
  entityRefSchema,
  parse,
  queryNumber,
  scopeSchema,
  scorecardSchema,
} from '../validation';
import type { RouteContext } from './context';

const MAX_PAGE_SIZE = 500;

/** Rows the CSV export reads and writes at a time. */
const CSV_BATCH = 500;

/** The parameters that say which rows a listing holds, in which order; a cursor keeps them. */
const QUERY_KEYS = [
  'scorecard',
  'scope',
  'kind',
  'type',
  'lifecycle',
  'owner',
  'system',
  'domain',
  'level',
  'failingCheck',
  'minScore',
  'maxScore',
  'q',
  'sort',
] as const;

const sortFields = ['score', 'level', 'name', 'failing', 'since'] as const;

const entitiesQuery = z.object({
  scorecard: scorecardSchema,
  scope: scopeSchema,
  kind: z.string().optional(),
  type: z.string().optional(),
  lifecycle: z.string().optional(),
  owner: z
    .string()
    .transform(value => value.split(',').filter(Boolean))
    .pipe(z.array(entityRefSchema).min(1, 'expected one or more entity refs'))
    .optional()
    .meta({
      description:
        'Owner refs, comma-separated (e.g. the caller’s teams): entities owned directly by one of them.',
    }),
  system: entityRefOfKind('system').optional(),
  domain: entityRefOfKind('domain').optional(),
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
  cursor: z.string().max(MAX_CURSOR_LENGTH).optional().meta({
    description:
      'The `nextCursor` or `prevCursor` of a page, as it came. It carries the filters and sort of the first page: the other parameters may be left out, and a cursor of another query is a 400.',
  }),
  pageSize: queryNumber(z.number().int().min(1).max(MAX_PAGE_SIZE)).default(50),
  format: z.enum(['json', 'csv']).default('json'),
});

/** `/entities` in the OpenAPI document. */
export const entitiesPaths: ZodOpenApiPathsObject = {
  '/entities': {
    get: {
      operationId: 'ListEntities',
      description:
        'The drill-down, one page at a time or as CSV; only entities the caller can read, filtered before `total` is counted and the page is cut. Pages follow cursors (keyset paging): a page costs the same wherever it is, and rows that change between two pages are neither repeated nor skipped. `total` is counted on the first page (kept until the results change) and carried by its cursors.',
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
  const totals = new PageTotals();

  router.get('/entities', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    // Offset paging is gone; the first page is still asked for as page 1 by older clients.
    if (req.query.page !== undefined && req.query.page !== '1') {
      throw new InputError(
        'Invalid query: page: offset paging is gone; follow the nextCursor or prevCursor of a page',
      );
    }
    const given = parse(entitiesQuery, req.query, 'query');
    const cursor = given.cursor ? decodeCursor(given.cursor) : undefined;
    const query = cursor ? cursorQuery(cursor, given, req.query) : given;
    const scorecardId = query.scorecard ?? ctx.defaultScorecard;
    if (cursor) {
      const own = { ...query, scorecard: scorecardId };
      const asked = { ...given, scorecard: given.scorecard ?? scorecardId };
      if (
        QUERY_KEYS.some(k => req.query[k] !== undefined) &&
        canonical(own) !== canonical(asked)
      ) {
        throw new InputError(
          "Invalid query: cursor: belongs to another query; its filters or sort differ from this request's",
        );
      }
      if (cursor.key.length > 0 && !isScoreKey(cursor.key, query.sort)) {
        throw new InputError(
          'Invalid query: cursor: not a cursor of this API; pass the nextCursor or prevCursor of a page as it came',
        );
      }
    }
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
    const scoped = await rollups.scopeFilter(query.scope, visible);
    for (const [field, value, inScope] of [
      ['system', query.system, scoped.systemRef],
      ['domain', query.domain, scoped.domainRef],
    ] as const) {
      if (value !== undefined && inScope !== undefined && value !== inScope) {
        throw new InputError(
          `Invalid query: ${field}: '${value}' is outside the scope '${inScope}'`,
        );
      }
    }
    let ownerRefs = scoped.ownerRefs;
    if (query.owner) {
      const inScope = ownerRefs && new Set(ownerRefs);
      ownerRefs = inScope
        ? query.owner.filter(ref => inScope.has(ref))
        : query.owner;
    }
    const filter = {
      ...scoped,
      ...(ownerRefs && { ownerRefs }),
      ...(query.system && { systemRef: query.system }),
      ...(query.domain && { domainRef: query.domain }),
      ...(visible !== 'all' && { entityRefs: [...visible] }),
      scorecardId,
      kind: query.kind,
      type: query.type,
      lifecycle: query.lifecycle,
      level: query.level === 'none' ? null : query.level,
      failingCheck: query.failingCheck,
      minScore: query.minScore,
      maxScore: query.maxScore,
      search: query.q,
    };

    if (query.format === 'csv') {
      // Written a batch at a time, so a large scope never sits in memory as one string.
      res
        .type('text/csv')
        .attachment(`scorecards-${scorecardId}.csv`)
        .write(csvHeader());
      let after: ScoreKey | undefined;
      for (;;) {
        const page = await store.listScores(filter, {
          sort: query.sort,
          after,
          limit: CSV_BATCH,
          count: false,
        });
        if (page.rows.length > 0) {
          res.write(csvLines(page.rows));
        }
        if (!page.more) break;
        after = scoreKey(page.rows[page.rows.length - 1], query.sort);
      }
      res.end();
      return;
    }

    const key = cursor?.key.length ? cursor.key : undefined;
    const backwards = cursor?.dir === 'prev';
    // Counting every row costs in proportion to the catalog, a page does not: later pages
    // reuse the first page's count, and a first page the count kept for this version of the
    // store.
    const version = cursor ? undefined : await store.getVersion();
    const known =
      version === undefined ? undefined : totals.get(version, filter);
    const page = await store.listScores(filter, {
      sort: query.sort,
      limit: query.pageSize,
      ...(backwards ? { before: cursor.key } : { after: key }),
      count: version !== undefined && known === undefined,
    });
    if (version !== undefined && page.total !== undefined) {
      totals.set(version, filter, page.total);
    }
    const total = cursor ? cursor.total : known ?? page.total ?? 0;
    // The page size travels too, so that a client may follow a cursor alone.
    const params = {
      ...(cursor?.query ?? queryParams(req.query)),
      pageSize: String(query.pageSize),
    };
    const link = (dir: EntitiesCursor['dir'], boundary: ScoreKey) =>
      encodeCursor({ query: params, dir, key: boundary, total });
    const body: EntitiesPageResponse = {
      scorecardId,
      items: page.rows,
      total,
      pageSize: query.pageSize,
      ...pageLinks(page, cursor, rows => scoreKey(rows, query.sort), link),
    };
    res.json(body);
  });
}

/** The filter and sort parameters of a request, as it gave them. */
function queryParams(raw: Record<string, unknown>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const k of QUERY_KEYS) {
    if (typeof raw[k] === 'string') params[k] = raw[k];
  }
  return params;
}

/**
 * The query a cursor continues: its own filters, sort and page size, unless this request gives
 * another page size; this request's format.
 */
function cursorQuery(
  cursor: EntitiesCursor,
  given: z.output<typeof entitiesQuery>,
  raw: Record<string, unknown>,
) {
  return {
    ...parse(
      entitiesQuery,
      {
        ...cursor.query,
        ...(typeof raw.pageSize === 'string' && { pageSize: raw.pageSize }),
      },
      'query',
    ),
    format: given.format,
  };
}

/** What makes two listings the same, whatever the page. */
function canonical(query: Partial<z.output<typeof entitiesQuery>>): string {
  return JSON.stringify(QUERY_KEYS.map(k => query[k] ?? null));
}

/**
 * The cursors of the pages either side of one. A page reached through a cursor always has one
 * back where it came from: after a page that came out empty, the one back is the end (or the
 * start) of the listing, so nothing between is skipped.
 */
function pageLinks(
  page: ScorePage,
  cursor: EntitiesCursor | undefined,
  keyOf: (row: ScorePage['rows'][number]) => ScoreKey,
  link: (dir: EntitiesCursor['dir'], key: ScoreKey) => string,
): { nextCursor?: string; prevCursor?: string } {
  const first = page.rows[0];
  const last = page.rows[page.rows.length - 1];
  if (cursor?.dir === 'prev') {
    return {
      nextCursor: link('next', last ? keyOf(last) : []),
      ...(page.more && first && { prevCursor: link('prev', keyOf(first)) }),
    };
  }
  return {
    ...(page.more && last && { nextCursor: link('next', keyOf(last)) }),
    ...(cursor &&
      cursor.key.length > 0 && {
        prevCursor: link('prev', first ? keyOf(first) : []),
      }),
  };
}
