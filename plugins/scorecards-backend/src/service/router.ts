import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AnnotationWaiver,
  DefinitionsResponse,
  EntitiesPageResponse,
  EntityHistoryResponse,
  EntityScorecardsResponse,
  ScorecardDefinitions,
  scorecardsFactWritePermission,
  scorecardsWaiverManagePermission,
  RunsResponse,
  StoredWaiver,
  WaiversResponse,
} from '@guardrails/plugin-scorecards-common';
import express from 'express';
import Router from 'express-promise-router';
import { DateTime, Duration } from 'luxon';
import { z } from 'zod';
import type { ScorecardsStore, StoredEntityResults } from '../database';
import { MAX_WAIVER_REASON_LENGTH, WAIVER_ANNOTATION_PREFIX } from '../engine';
import { withAbandoned, type EvaluationRunner } from '../run/EvaluationRunner';
import { CatalogVisibility, isVisible } from './CatalogVisibility';
import type { RollupService } from './RollupService';
import { toCsv } from './csv';
import { rulePaths } from '../definitions/rulePaths';
import {
  durationSchema,
  entityRefSchema,
  factValueSchema,
  parse,
  queryNumber,
  scopeSchema,
  timestampSchema,
} from './validation';

/** What the router needs. */
export interface RouterOptions {
  httpAuth: HttpAuthService;
  catalog: CatalogService;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger: LoggerService;
  store: ScorecardsStore;
  runner: EvaluationRunner;
  rollups: RollupService;
  definitions: ScorecardDefinitions;
  /** The longest a waiver may last. */
  waiverMaxDuration: Duration;
  /** The longest a run may take; one still running after it is shown as abandoned. */
  runTimeout: Duration;
  /** The current time; injectable so tests control it. */
  clock?: () => Date;
}

const MAX_PAGE_SIZE = 500;
/** The last page that may be asked for, so that offsets stay exact numbers. */
const MAX_PAGE = 1_000_000;
const MAX_FACTS_PER_REQUEST = 1000;
/** The most facts (names) one entity may have, whether or not the catalog has it yet. */
export const MAX_FACTS_PER_ENTITY = 100;
const MAX_FACTS_PAGE_SIZE = 100;

const sortFields = ['score', 'level', 'name', 'failing', 'since'] as const;

/** Creates the REST API served under `/api/scorecards`. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const {
    httpAuth,
    catalog,
    permissions,
    auditor,
    logger,
    store,
    runner,
    rollups,
    definitions,
  } = options;
  const clock = options.clock ?? (() => new Date());
  const checksById = new Map(definitions.checks.map(c => [c.id, c]));
  const scorecardsById = new Map(definitions.scorecards.map(s => [s.id, s]));
  const defaultScorecard = definitions.scorecards[0]?.id ?? '';
  const readsById = new Map(
    definitions.checks.map(c => [c.id, rulePaths(c.rule)]),
  );

  const router = Router();
  // Not strict: `null` or `"text"` is valid JSON, and the route says what it expected instead.
  router.use(express.json({ limit: '2mb', strict: false }));

  const visibility = new CatalogVisibility({
    permissions,
    catalog,
    kinds: () => rollups.kinds(),
    clock: () => clock().getTime(),
  });

  /**
   * Throws 404 unless the caller may read the entity in the catalog. Writes pass `mustExist`,
   * so the catalog confirms the entity exists even when the policy allows every read.
   */
  async function assertVisible(
    entityRef: string,
    credentials: BackstageCredentials,
    { mustExist = false }: { mustExist?: boolean } = {},
  ) {
    // The policy settles it without the catalog unless its decision is conditional.
    const { result } = await visibility.decision(credentials);
    if (result === AuthorizeResult.ALLOW && !mustExist) {
      return;
    }
    const items =
      result === AuthorizeResult.DENY
        ? []
        : (
            await catalog.getEntitiesByRefs(
              { entityRefs: [entityRef], fields: ['kind'] },
              { credentials },
            )
          ).items;
    if (!items[0]) {
      throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    }
  }

  async function authorize(
    credentials: BackstageCredentials,
    request:
      | {
          permission: typeof scorecardsWaiverManagePermission;
          resourceRef: string;
        }
      | { permission: typeof scorecardsFactWritePermission },
  ) {
    const [decision] = await permissions.authorize([request], { credentials });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Permission ${request.permission.name} is required`,
      );
    }
  }

  /**
   * Throws 400 unless every entity keeps at most {@link MAX_FACTS_PER_ENTITY} facts once these
   * are stored; a name it already has replaces a fact rather than adding one.
   */
  async function assertFactsFit(
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

  function principalRef(credentials: BackstageCredentials): string {
    const p = credentials.principal as
      | { type: 'user'; userEntityRef: string }
      | { type: 'service'; subject: string };
    return p.type === 'user' ? p.userEntityRef : p.subject;
  }

  function toView(stored: StoredEntityResults): EntityScorecardsResponse {
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
  }

  /**
   * Throws unless a new waiver of the check would change something: some scorecard evaluates the
   * entity and includes the check, the check applies, and no waiver already excuses it.
   */
  async function assertWaiverUseful(
    entityRef: string,
    checkId: string,
    credentials: BackstageCredentials,
  ) {
    const evaluation = await runner.previewEntity(entityRef, credentials);
    if (evaluation.scorecards.length === 0) {
      throw new InputError(
        `Invalid waiver: no scorecard evaluates ${entityRef}, so a waiver would change nothing`,
      );
    }
    const result = evaluation.checks.find(c => c.checkId === checkId);
    if (!result) {
      throw new InputError(
        `Invalid waiver: checkId: no scorecard of ${entityRef} includes the check '${checkId}'`,
      );
    }
    if (result.status === 'not-applicable') {
      throw new InputError(
        `Invalid waiver: checkId: the check '${checkId}' does not apply to ${entityRef}: ${result.explanation}`,
      );
    }
    const [active] = (
      await store.listWaivers({ entityRef, activeAt: clock() })
    ).filter(w => w.checkId === checkId);
    if (active) {
      throw new ConflictError(
        `${entityRef} already has an active waiver of '${checkId}' until ${active.expiresAt} (${active.id}); revoke it to grant another`,
      );
    }
    const applied = result.waiver?.applied ? result.waiver.waiver : undefined;
    if (applied?.source === 'annotation') {
      throw new ConflictError(
        `The check '${checkId}' of ${entityRef} is already waived until ${applied.expiresAt.slice(
          0,
          10,
        )} by the annotation ${WAIVER_ANNOTATION_PREFIX}${checkId}`,
      );
    }
  }

  async function reevaluate(
    entityRef: string,
    credentials: BackstageCredentials,
  ) {
    try {
      await runner.evaluateEntity(entityRef, credentials);
    } catch (error) {
      // The write itself succeeded; the next scheduled run evaluates the entity anyway.
      logger.warn(`Could not re-evaluate ${entityRef}: ${error}`);
    }
  }

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/definitions', async (req, res) => {
    await httpAuth.credentials(req);
    const body: DefinitionsResponse = definitions;
    res.json(body);
  });

  // The schemas of the read routes are built once, not per request: zod compiles a parser for
  // each object schema the first time it is used, which costs more than the parsing itself.
  const entityQuery = z.object({ entityRef: entityRefSchema });
  router.get('/entity', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const { entityRef } = parse(entityQuery, req.query, 'query');
    // Read the results while the catalog says whether the caller may see the entity; they are
    // only used, and their errors only surface, once it does.
    const results = store.getEntityResults(entityRef);
    results.catch(() => {});
    await assertVisible(entityRef, credentials);
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

  router.post('/entity/evaluate', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const { entityRef } = parse(
      z.object({ entityRef: entityRefSchema }),
      req.body,
      'body',
    );
    const stored = await runner.evaluateEntity(entityRef, credentials);
    res.json(stored ? toView(stored) : withoutResults(entityRef, false));
  });

  const historyQuery = z.object({
    entityRef: entityRefSchema,
    from: timestampSchema.optional(),
    to: timestampSchema.optional(),
  });
  router.get('/entity/history', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const now = clock();
    const query = parse(historyQuery, req.query, 'query');
    await assertVisible(query.entityRef, credentials);
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

  const rollupQuery = z.object({
    scorecard: z.string().default(defaultScorecard),
    by: z
      .enum(['group', 'system', 'domain', 'check', 'category'])
      .default('group'),
    scope: scopeSchema,
  });
  router.get('/rollup', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const query = parse(rollupQuery, req.query, 'query');
    res.json(
      await rollups.rollup({
        scorecardId: query.scorecard,
        by: query.by,
        scope: query.scope,
        visible: await visibility.visible(credentials),
      }),
    );
  });

  const entitiesQuery = z.object({
    scorecard: z.string().default(defaultScorecard),
    scope: scopeSchema,
    kind: z.string().optional(),
    type: z.string().optional(),
    level: z.string().optional(),
    failingCheck: z.string().optional(),
    minScore: queryNumber(z.number().min(0).max(100)).optional(),
    maxScore: queryNumber(z.number().min(0).max(100)).optional(),
    q: z.string().max(200).optional(),
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
      }),
    page: queryNumber(z.number().int().min(1).max(MAX_PAGE)).default(1),
    pageSize: queryNumber(z.number().int().min(1).max(MAX_PAGE_SIZE)).default(
      50,
    ),
    format: z.enum(['json', 'csv']).default('json'),
  });
  router.get('/entities', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const query = parse(entitiesQuery, req.query, 'query');
    const scorecard = rollups.scorecard(query.scorecard);
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
    if (query.failingCheck && !checksById.has(query.failingCheck)) {
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
      scorecardId: query.scorecard,
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
        .attachment(`scorecards-${query.scorecard}.csv`)
        .send(toCsv(rows));
      return;
    }

    const { rows, total } = await store.listScores(filter, {
      sort: query.sort,
      offset: (query.page - 1) * query.pageSize,
      limit: query.pageSize,
    });
    const body: EntitiesPageResponse = {
      scorecardId: query.scorecard,
      total,
      page: query.page,
      pageSize: query.pageSize,
      items: rows,
    };
    res.json(body);
  });

  router.get('/trends', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const now = clock();
    const query = parse(
      z.object({
        scorecard: z.string().default(defaultScorecard),
        scope: scopeSchema,
        from: timestampSchema.optional(),
        to: timestampSchema.optional(),
        interval: durationSchema.optional(),
      }),
      req.query,
      'query',
    );
    const to = query.to ?? now;
    const from =
      query.from ?? DateTime.fromJSDate(to).minus({ weeks: 12 }).toJSDate();
    if (from > to) {
      throw new InputError('Invalid query: from must be before to');
    }
    res.json(
      await rollups.trends({
        scorecardId: query.scorecard,
        scope: query.scope,
        from,
        to,
        interval: query.interval ?? Duration.fromObject({ weeks: 1 }),
        visible: await visibility.visible(credentials),
      }),
    );
  });

  router.post('/facts', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const now = clock();
    const body = parse(
      z.object({
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
              value: factValueSchema,
              observedAt: timestampSchema
                .refine(d => d.getTime() <= now.getTime() + 5 * 60_000, {
                  message: 'observedAt is in the future',
                })
                .optional(),
              freshFor: durationSchema.optional(),
              source: z.string().max(200).optional(),
            }),
          )
          .min(1)
          .max(MAX_FACTS_PER_REQUEST),
      }),
      req.body,
      'facts',
    );
    await authorize(credentials, { permission: scorecardsFactWritePermission });
    await assertFactsFit(body.facts);
    const event = await auditor.createEvent({
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
    });
    try {
      await store.upsertFacts(
        body.facts.map(f => ({
          entityRef: f.entityRef,
          name: f.name,
          value: f.value as any,
          observedAt: (f.observedAt ?? now).toISOString(),
          freshFor: f.freshFor?.toISO() ?? undefined,
          source: f.source ?? principalRef(credentials),
        })),
      );
      await event.success();
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
    res.status(202).json({ accepted: body.facts.length });
  });

  const factsQuery = z.object({
    entityRef: entityRefSchema,
    page: queryNumber(z.number().int().min(1).max(MAX_PAGE)).default(1),
    pageSize: queryNumber(
      z.number().int().min(1).max(MAX_FACTS_PAGE_SIZE),
    ).default(50),
  });
  router.get('/facts', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const { entityRef, page, pageSize } = parse(factsQuery, req.query, 'query');
    await assertVisible(entityRef, credentials);
    const { facts, total } = await store.listFacts(entityRef, {
      offset: (page - 1) * pageSize,
      limit: pageSize,
    });
    res.json({ facts, total, page, pageSize });
  });

  router.post('/waivers', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const now = clock();
    const latest = DateTime.fromJSDate(now).plus(options.waiverMaxDuration);
    const input = parse(
      z.object({
        entityRef: entityRefSchema,
        checkId: z.string().refine(id => checksById.has(id), {
          message: 'no such check',
        }),
        // Every check names its own problem: the schema's message would stand for all of them.
        reason: z
          .string({ error: 'a waiver needs a reason' })
          .trim()
          .min(1, 'a waiver needs a reason')
          .max(
            MAX_WAIVER_REASON_LENGTH,
            `a waiver reason may be at most ${MAX_WAIVER_REASON_LENGTH} characters`,
          ),
        expiresAt: timestampSchema
          .refine(d => d.getTime() > now.getTime(), {
            message: 'expiresAt must be in the future',
          })
          .refine(d => d.getTime() <= latest.toMillis(), {
            message: `a waiver may last at most ${options.waiverMaxDuration.toISO()}`,
          }),
      }),
      req.body,
      'waiver',
    );
    await assertVisible(input.entityRef, credentials, { mustExist: true });
    await authorize(credentials, {
      permission: scorecardsWaiverManagePermission,
      resourceRef: input.entityRef,
    });
    await assertWaiverUseful(input.entityRef, input.checkId, credentials);
    const event = await auditor.createEvent({
      eventId: 'waiver-create',
      severityLevel: 'medium',
      request: req,
      meta: {
        entityRef: input.entityRef,
        checkId: input.checkId,
        expiresAt: input.expiresAt.toISOString(),
      },
    });
    let waiver: StoredWaiver;
    try {
      waiver = await store.createWaiver(
        {
          entityRef: input.entityRef,
          checkId: input.checkId,
          reason: input.reason,
          expiresAt: input.expiresAt.toISOString(),
          grantedBy: principalRef(credentials),
        },
        now,
      );
      await event.success({ meta: { waiverId: waiver.id } });
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
    await reevaluate(input.entityRef, credentials);
    res.status(201).json(waiver);
  });

  router.get('/waivers', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const query = parse(
      z.object({
        entityRef: entityRefSchema.optional(),
        active: z.enum(['true', 'false']).default('true'),
      }),
      req.query,
      'query',
    );
    if (query.entityRef) {
      await assertVisible(query.entityRef, credentials);
    }
    const activeAt = query.active === 'true' ? clock() : undefined;
    const [waivers, results] = await Promise.all([
      store.listWaivers({ entityRef: query.entityRef, activeAt }),
      store.listResultWaivers({ entityRef: query.entityRef }),
    ]);
    const items: WaiversResponse['items'] = [
      ...waivers,
      ...results.flatMap(({ checkId, outcome }): AnnotationWaiver[] => {
        const waiver = outcome.waiver;
        if (
          waiver?.source !== 'annotation' ||
          (activeAt && Date.parse(waiver.expiresAt) <= activeAt.getTime())
        ) {
          return [];
        }
        return [
          {
            ...waiver,
            source: 'annotation',
            annotation: `${WAIVER_ANNOTATION_PREFIX}${checkId}`,
            ...(!outcome.applied &&
              outcome.problem && { problem: outcome.problem }),
          },
        ];
      }),
    ];
    const visible = await visibility.visible(credentials);
    const body: WaiversResponse = {
      items: items.filter(w => isVisible(visible, w.entityRef)),
    };
    res.json(body);
  });

  router.delete('/waivers/:id', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const { id } = parse(
      z.object({ id: z.string().min(1).max(100) }),
      req.params,
      'path',
    );
    const waiver = await store.getWaiver(id);
    // An expired waiver is no longer active: revoking it would change nothing yet be audited.
    if (
      !waiver ||
      waiver.revokedAt ||
      Date.parse(waiver.expiresAt) <= clock().getTime()
    ) {
      throw new NotFoundError(`No active waiver ${id}`);
    }
    // A waiver on an entity the caller may not read is no waiver of theirs: the answer must not
    // name the entity.
    await assertVisible(waiver.entityRef, credentials).catch(error => {
      throw error instanceof NotFoundError
        ? new NotFoundError(`No active waiver ${id}`)
        : error;
    });
    await authorize(credentials, {
      permission: scorecardsWaiverManagePermission,
      resourceRef: waiver.entityRef,
    });
    const event = await auditor.createEvent({
      eventId: 'waiver-revoke',
      severityLevel: 'medium',
      request: req,
      meta: {
        waiverId: id,
        entityRef: waiver.entityRef,
        checkId: waiver.checkId,
      },
    });
    try {
      await store.revokeWaiver(id, principalRef(credentials), clock());
      await event.success();
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
    await reevaluate(waiver.entityRef, credentials);
    res.status(204).end();
  });

  const runsQuery = z.object({
    limit: queryNumber(z.number().int().min(1).max(100)).default(20),
  });
  router.get('/runs', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const { limit } = parse(runsQuery, req.query, 'query');
    const now = clock();
    const [runs, { result }] = await Promise.all([
      store.listRuns(limit),
      visibility.decision(credentials),
    ]);
    const body: RunsResponse = {
      items: runs.map(run => {
        const shown = withAbandoned(run, now, options.runTimeout);
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

  return router;
}
