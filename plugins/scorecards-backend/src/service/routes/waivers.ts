import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  type AnnotationWaiver,
  scorecardsWaiverManagePermission,
  type WaiversResponse,
} from '@guardrails/plugin-scorecards-common';
import type { Router } from 'express';
import { DateTime, Duration } from 'luxon';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import {
  MAX_WAIVER_REASON_LENGTH,
  WAIVER_ANNOTATION_PREFIX,
} from '../../engine';
import {
  errorResponse,
  errorResponses,
  jsonResponse,
  storedWaiver,
  waiversResponse,
} from '../../schema/responses';
import { audited } from '../audit';
import { isVisible } from '../CatalogVisibility';
import { entityRefSchema, parse, timestampSchema } from '../validation';
import { principalRef, type RouteContext } from './context';

/** The body of `POST /waivers`, as of `now`. */
function waiverBody(options: {
  now: Date;
  maxDuration: Duration;
  checkIds: ReadonlySet<string>;
}) {
  const { now, maxDuration, checkIds } = options;
  const latest = DateTime.fromJSDate(now).plus(maxDuration);
  return z.object({
    entityRef: entityRefSchema,
    checkId: z.string().refine(id => checkIds.has(id), {
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
        message: `a waiver may last at most ${maxDuration.toISO()}`,
      })
      .meta({
        description:
          'In the future, at most `scorecards.waivers.maxDuration` (default P1Y) away.',
      }),
  });
}

const waiversQuery = z.object({
  entityRef: entityRefSchema.optional(),
  active: z
    .enum(['true', 'false'])
    .default('true')
    .meta({ description: '`false` includes expired and revoked waivers.' }),
});

const waiverPath = z.object({ id: z.string().min(1).max(100) });

/** `/waivers` and `/waivers/{id}` in the OpenAPI document. */
export const waiversPaths: ZodOpenApiPathsObject = {
  '/waivers': {
    get: {
      operationId: 'ListWaivers',
      description:
        'Waivers made through the API, newest first, then the waivers entities declare in `guardrails.dev/waive.<check-id>` annotations (as their last evaluation read them, with `source: annotation`, the `annotation` and, when it does not count, the `problem`), by entity and check; only on entities the caller can read.',
      requestParams: { query: waiversQuery },
      responses: {
        200: jsonResponse('The waivers.', waiversResponse),
        ...errorResponses(400, 401, 404),
      },
    },
    post: {
      operationId: 'CreateWaiver',
      description: `Excuses one check on one entity until a date, with a reason. Needs the \`${scorecardsWaiverManagePermission.name}\` permission on the entity. The entity is re-evaluated at once. A waiver that would change nothing is a 400: no scorecard evaluates the entity, none of its scorecards includes the check, or the check does not apply to it. A waiver of a check that an active waiver (from the API or an annotation) already excuses is a 409.`,
      requestBody: {
        required: true,
        content: {
          'application/json': {
            // Refinements do not show in the document, so any time and checks will do.
            schema: waiverBody({
              now: new Date(0),
              maxDuration: Duration.fromObject({ years: 1 }),
              checkIds: new Set(),
            }),
          },
        },
      },
      responses: {
        201: jsonResponse('The waiver.', storedWaiver),
        ...errorResponses(400, 401, 403, 404),
        409: jsonResponse(
          'An active waiver already excuses the check.',
          errorResponse,
        ),
      },
    },
  },
  '/waivers/{id}': {
    delete: {
      operationId: 'RevokeWaiver',
      description: `Revokes a waiver. Needs the \`${scorecardsWaiverManagePermission.name}\` permission on its entity.`,
      requestParams: { path: waiverPath },
      responses: {
        204: { description: 'Revoked.' },
        ...errorResponses(401, 403, 404),
      },
    },
  },
};

/** Adds the waivers: granting, listing and revoking them. */
export function addWaiversRoutes(router: Router, ctx: RouteContext) {
  const { httpAuth, store, runner, visibility, clock } = ctx;
  const checkIds = new Set(ctx.definitions.checks.map(c => c.id));

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
      ctx.logger.warn(`Could not re-evaluate ${entityRef}: ${error}`);
    }
  }

  router.post('/waivers', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const now = clock();
    const input = parse(
      waiverBody({ now, maxDuration: ctx.waiverMaxDuration, checkIds }),
      req.body,
      'waiver',
    );
    await visibility.assertVisible(input.entityRef, credentials, {
      mustExist: true,
    });
    await ctx.authorize(credentials, {
      permission: scorecardsWaiverManagePermission,
      resourceRef: input.entityRef,
    });
    await assertWaiverUseful(input.entityRef, input.checkId, credentials);
    const waiver = await audited(
      ctx.auditor,
      {
        eventId: 'waiver-create',
        severityLevel: 'medium',
        request: req,
        meta: {
          entityRef: input.entityRef,
          checkId: input.checkId,
          expiresAt: input.expiresAt.toISOString(),
        },
      },
      () =>
        store.createWaiver(
          {
            entityRef: input.entityRef,
            checkId: input.checkId,
            reason: input.reason,
            expiresAt: input.expiresAt.toISOString(),
            grantedBy: principalRef(credentials),
          },
          now,
        ),
      created => ({ waiverId: created.id }),
    );
    await reevaluate(input.entityRef, credentials);
    res.status(201).json(waiver);
  });

  router.get('/waivers', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const query = parse(waiversQuery, req.query, 'query');
    if (query.entityRef) {
      await visibility.assertVisible(query.entityRef, credentials);
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
    const { id } = parse(waiverPath, req.params, 'path');
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
    await visibility
      .assertVisible(waiver.entityRef, credentials)
      .catch(error => {
        throw error instanceof NotFoundError
          ? new NotFoundError(`No active waiver ${id}`)
          : error;
      });
    await ctx.authorize(credentials, {
      permission: scorecardsWaiverManagePermission,
      resourceRef: waiver.entityRef,
    });
    await audited(
      ctx.auditor,
      {
        eventId: 'waiver-revoke',
        severityLevel: 'medium',
        request: req,
        meta: {
          waiverId: id,
          entityRef: waiver.entityRef,
          checkId: waiver.checkId,
        },
      },
      () => store.revokeWaiver(id, principalRef(credentials), clock()),
    );
    await reevaluate(waiver.entityRef, credentials);
    res.status(204).end();
  });
}
