import type { FilterPredicate } from '@backstage/filter-predicates';
import type {
  CheckDefinition,
  GroupRollupNode,
  RulePredicate,
  DefinitionsResponse,
  EntitiesPageResponse,
  EntityHistoryResponse,
  EntityScorecardsResponse,
  Fact,
  HeatmapResponse,
  IndicatorsResponse,
  RollupResponse,
  RunsResponse,
  StoredWaiver,
  TrendsResponse,
  WaiversResponse,
} from '@guardrails/plugin-scorecards-common';
import { z } from 'zod';
import type {
  ZodOpenApiResponseObject,
  ZodOpenApiResponsesObject,
} from 'zod-openapi';

// The shapes of the answers, for the OpenAPI document. The types in -common are what the code
// sends; the checks at the end of this file fail to compile when a shape and its type differ.

const timestamp = z.string().meta({ format: 'date-time' });
const level = z.string().nullable();

const checkStatus = z
  .enum(['pass', 'fail', 'warn', 'waived', 'not-applicable', 'error'])
  .meta({ id: 'CheckStatus' });
const statusCounts = z
  .record(checkStatus, z.number().int())
  .meta({ id: 'StatusCounts' });
const severity = z.enum(['critical', 'high', 'medium', 'low', 'warning']);

/** Any JSON, in the shape the code types it. */
const json = z.json();

const levelSchema = z.object({
  name: z.string(),
  checks: z.array(z.string()),
});
const linkSchema = z.object({ url: z.string(), title: z.string() });
const predicate = z.custom<FilterPredicate>().meta({
  description: 'A `@backstage/filter-predicates` expression.',
  override: { type: 'object' },
});
const rule = z.custom<RulePredicate>().meta({
  description:
    'A `@backstage/filter-predicates` expression, with the value operators of the rule language.',
  override: { type: 'object' },
});

const checkDefinition = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    category: z.string(),
    severity,
    appliesTo: predicate.optional(),
    rule,
    remediation: z.string().optional(),
    links: z.array(linkSchema).optional(),
    enforcedFrom: z.string().meta({ format: 'date' }).optional(),
  })
  .meta({ id: 'CheckDefinition' });

const scorecardDefinition = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    appliesTo: predicate.optional(),
    checks: z.array(z.string()),
    levels: z.array(levelSchema),
  })
  .meta({ id: 'ScorecardDefinition' });

/** `GET /definitions` */
export const definitionsResponse = z.object({
  checks: z.array(checkDefinition),
  scorecards: z.array(scorecardDefinition),
});

const waiverFields = {
  entityRef: z.string(),
  checkId: z.string(),
  reason: z.string(),
  expiresAt: timestamp,
  grantedBy: z.string(),
};

/** A waiver made through the API. */
export const storedWaiver = z
  .object({
    ...waiverFields,
    id: z.string(),
    createdAt: timestamp,
    revokedAt: timestamp.optional(),
    revokedBy: z.string().optional(),
    source: z.enum(['annotation', 'api']),
  })
  .meta({ id: 'StoredWaiver' });

const annotationWaiver = z
  .object({
    ...waiverFields,
    id: z.string().optional(),
    createdAt: timestamp.optional(),
    source: z.literal('annotation'),
    annotation: z
      .string()
      .meta({ description: 'The annotation that declares it.' }),
    problem: z.string().optional().meta({
      description: 'Why it does not excuse the check, when it does not.',
    }),
  })
  .meta({ id: 'AnnotationWaiver' });

const waiver = z
  .object({
    ...waiverFields,
    id: z.string().optional(),
    createdAt: timestamp.optional(),
    source: z.enum(['annotation', 'api']),
  })
  .meta({ id: 'Waiver' });

const checkResultView = z
  .object({
    checkId: z.string(),
    status: checkStatus,
    observed: json.optional().meta({ description: 'The value the rule read.' }),
    expected: z.string().optional(),
    explanation: z.string(),
    enforced: z.boolean(),
    waiver: z
      .object({
        applied: z.boolean(),
        waiver: waiver.optional(),
        problem: z.string().optional(),
      })
      .optional(),
    since: timestamp,
    title: z.string(),
    description: z.string(),
    category: z.string(),
    severity,
    remediation: z.string().optional(),
    links: z.array(linkSchema).optional(),
    enforcedFrom: z.string().optional(),
    reads: z.array(z.string()).meta({
      description: 'Entity paths and facts (`facts.<name>`) the rule reads.',
    }),
  })
  .meta({ id: 'CheckResultView' });

const scorecardView = z
  .object({
    scorecardId: z.string(),
    title: z.string(),
    description: z.string(),
    levels: z.array(levelSchema).meta({
      description:
        'Lowest first, each with the checks it requires besides those below it.',
    }),
    level,
    levelIndex: z.number().int(),
    score: z.number().int().min(0).max(100),
    nextLevel: z
      .object({ name: z.string(), blockedBy: z.array(z.string()) })
      .optional(),
    counts: statusCounts,
    since: timestamp,
    checks: z.array(checkResultView),
  })
  .meta({ id: 'ScorecardView' });

/** `GET /entity`, `POST /entity/evaluate` */
export const entityScorecardsResponse = z
  .object({
    entityRef: z.string(),
    status: z.enum(['evaluated', 'not-evaluated', 'not-applicable']).meta({
      description:
        '`evaluated` when `scorecards` holds results; `not-evaluated` when a scorecard applies but no evaluation has reached the entity yet; `not-applicable` when no scorecard applies.',
    }),
    reason: z
      .string()
      .optional()
      .meta({ description: 'Why there are no results, when there are none.' }),
    evaluatedAt: timestamp
      .optional()
      .meta({ description: 'The last evaluation, changed or not.' }),
    updatedAt: timestamp
      .optional()
      .meta({ description: 'The last change of the results.' }),
    scorecards: z.array(scorecardView),
    waiverProblems: z
      .array(
        z.object({
          checkId: z.string(),
          annotation: z.string().optional(),
          waiverId: z.string().optional(),
          problem: z.string(),
        }),
      )
      .optional()
      .meta({
        description:
          'Waivers of the entity that excuse nothing (no such check, or none of its scorecards has it), and why. Absent when there are none.',
      }),
  })
  .meta({ id: 'EntityScorecards' });

const historyEvent = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('check'),
      entityRef: z.string(),
      checkId: z.string(),
      status: checkStatus,
      previousStatus: checkStatus.optional(),
      at: timestamp,
    }),
    z.object({
      type: z.literal('scorecard'),
      entityRef: z.string(),
      scorecardId: z.string(),
      level,
      score: z.number().int(),
      previousLevel: level.optional(),
      previousScore: z.number().int().optional(),
      failing: z.number().int().optional().meta({
        description: 'How many of the scorecard’s checks failed or errored.',
      }),
      definitionsChanged: z.boolean().optional().meta({
        description: 'The scorecard definitions changed with this change.',
      }),
      at: timestamp,
    }),
    z.object({
      type: z.literal('removed'),
      entityRef: z.string(),
      at: timestamp,
    }),
  ])
  .meta({ id: 'HistoryEvent' });

/** `GET /entity/history` */
export const entityHistoryResponse = z.object({
  entityRef: z.string(),
  from: timestamp,
  to: timestamp,
  events: z.array(historyEvent).meta({ description: 'Newest first.' }),
});

const summaryFields = {
  entities: z.number().int(),
  averageScore: z.number().nullable(),
  levels: z.record(z.string(), z.number().int()),
  failing: z.number().int(),
};
const rollupSummary = z.object(summaryFields).meta({ id: 'RollupSummary' });

const categoryPassRate = z
  .object({
    category: z.string(),
    pass: z
      .number()
      .int()
      .meta({ description: 'Results that pass or are waived.' }),
    fail: z
      .number()
      .int()
      .meta({ description: 'Results that fail or are in error.' }),
    passRate: z.number().nullable().meta({
      description:
        'Share of `pass` in `pass + fail`, 0-100, one decimal; null when both are 0.',
    }),
  })
  .meta({ id: 'CategoryPassRate' });

const groupRollupNode: z.ZodType<GroupRollupNode> = z
  .object({
    ...summaryFields,
    ref: z.string(),
    title: z.string(),
    type: z.string().optional(),
    ownEntities: z.number().int(),
    own: rollupSummary.meta({
      description:
        'How the entities owned directly by the group stand, apart from those of the groups below it that the caller may read.',
    }),
    categories: z.array(categoryPassRate).meta({
      description:
        "Pass rate per category of the scorecard's checks over the group's whole subtree, in the scorecard's category order.",
    }),
    get children() {
      return z.array(groupRollupNode).meta({
        description: 'The groups below it; empty where a `depth` cut the tree.',
      });
    },
    hasChildren: z.boolean().optional().meta({
      description:
        'Whether the group has groups below it; given when the request set a `depth`.',
    }),
  })
  .meta({ id: 'GroupRollupNode' });

const rollupFields = {
  scorecardId: z.string(),
  title: z.string(),
  levels: z.array(z.string()),
  summary: rollupSummary,
};
const checkRollupFields = {
  counts: statusCounts,
  failing: z.number().int(),
};

const heatmapCell = z.object({
  column: z.string(),
  entities: z.number().int(),
  pass: z.number().int(),
  fail: z.number().int(),
  passRate: z.number().nullable(),
});

/** `GET /heatmap` */
export const heatmapResponse = z.object({
  scorecardId: z.string(),
  scope: z.string(),
  axis: z.enum(['check', 'category']),
  columns: z.array(z.object({ id: z.string(), title: z.string() })),
  rows: z.array(
    z.object({
      ref: z.string(),
      title: z.string(),
      entities: z.number().int(),
      cells: z.array(heatmapCell),
    }),
  ),
});

/** `GET /rollup` */
export const rollupResponse = z.discriminatedUnion('by', [
  z.object({
    ...rollupFields,
    by: z.literal('group'),
    groups: z.array(groupRollupNode),
    ownedByUsers: rollupSummary,
    unowned: rollupSummary,
  }),
  z.object({
    ...rollupFields,
    by: z.enum(['system', 'domain']),
    rows: z.array(
      z.object({
        ...summaryFields,
        ref: z.string(),
        title: z.string().optional(),
      }),
    ),
    unassigned: rollupSummary,
  }),
  z.object({
    ...rollupFields,
    by: z.literal('check'),
    rows: z.array(
      z.object({
        ...checkRollupFields,
        checkId: z.string(),
        title: z.string(),
        category: z.string(),
        severity,
      }),
    ),
  }),
  z.object({
    ...rollupFields,
    by: z.literal('category'),
    rows: z.array(
      z.object({
        ...checkRollupFields,
        category: z.string(),
        passRate: z.number().nullable(),
      }),
    ),
  }),
]);

const entityScoreRow = z
  .object({
    entityRef: z.string(),
    kind: z.string(),
    type: z.string().optional(),
    title: z.string().optional(),
    lifecycle: z.string().optional(),
    ownerRef: z.string().optional(),
    ownerExists: z
      .boolean()
      .optional()
      .meta({ description: 'Whether the owner is an entity of the catalog.' }),
    systemRef: z.string().optional(),
    domainRef: z.string().optional(),
    scorecardId: z.string(),
    level,
    levelIndex: z.number().int(),
    score: z.number().int(),
    counts: statusCounts,
    failing: z.array(z.string()),
    since: timestamp,
  })
  .meta({ id: 'EntityScoreRow' });

/** `GET /entities` as JSON */
export const entitiesPageResponse = z.object({
  scorecardId: z.string(),
  items: z.array(entityScoreRow),
  total: z.number().int().meta({
    description:
      'How many entities match, counted on the first page (kept until the results change) and carried by its cursors.',
  }),
  pageSize: z.number().int(),
  nextCursor: z.string().optional().meta({
    description: 'The `cursor` of the next page; absent on the last.',
  }),
  prevCursor: z.string().optional().meta({
    description: 'The `cursor` of the previous page; absent on the first.',
  }),
});

const moverCause = z
  .object({
    checkId: z.string(),
    title: z.string(),
    from: checkStatus.nullable().meta({
      description:
        "Status at the window's start; null when the check did not apply then.",
    }),
    to: checkStatus.nullable().meta({
      description:
        "Status at the window's end; null when the check no longer applies.",
    }),
  })
  .meta({ id: 'MoverCause' });

const teamMover = z
  .object({
    ref: z.string(),
    title: z.string(),
    entities: z.number().int().meta({
      description: "The team's entities scored at both ends of the window.",
    }),
    fromScore: z.number(),
    toScore: z.number(),
    change: z.number().meta({
      description:
        "How much the team's mean score moved by its entities' own changes, one decimal.",
    }),
    causes: z.array(
      z.object({
        checkId: z.string(),
        title: z.string(),
        improved: z.number().int().meta({
          description: 'Entities of the team that started passing the check.',
        }),
        regressed: z.number().int().meta({
          description: 'Entities of the team that stopped passing the check.',
        }),
      }),
    ),
  })
  .meta({ id: 'TeamMover' });

const newTrendEntity = z
  .object({
    entityRef: z.string(),
    at: timestamp.meta({
      description: 'When it was first scored in the window.',
    }),
    score: z.number().nullable(),
    level,
  })
  .meta({ id: 'NewTrendEntity' });

const trendMover = z
  .object({
    entityRef: z.string(),
    causes: z.array(moverCause).meta({
      description:
        "The scorecard's checks whose status differs between the window's start and end, biggest effect in the mover's direction first.",
    }),
    fromScore: z.number().int().nullable(),
    toScore: z.number().int().nullable(),
    fromLevel: level,
    toLevel: level,
    change: z.number().int().meta({
      description:
        'The score change of the entity’s own doing over the window.',
    }),
  })
  .meta({ id: 'TrendMover' });

/** `GET /trends` */
export const trendsResponse = z.object({
  scorecardId: z.string(),
  scope: z.string(),
  interval: z.string(),
  points: z.array(
    z.object({
      ...summaryFields,
      at: timestamp,
      definitionsChanged: z.boolean().optional(),
    }),
  ),
  improved: z.array(trendMover),
  regressed: z.array(trendMover),
  teams: z
    .object({ improved: z.array(teamMover), regressed: z.array(teamMover) })
    .meta({
      description:
        "Groups owning the scope's entities directly, by the change of their entities' mean score; 10 each way at most.",
    }),
  new: z
    .object({
      entities: z.array(newTrendEntity),
      total: z.number().int(),
    })
    .meta({
      description:
        'Entities that appeared in the window, newest first (10 at most), and how many did.',
    }),
});

const indicatorValue = z
  .object({
    at: timestamp,
    value: z.number().nullable().meta({
      description:
        'A share as a percentage (0-100, one decimal) for level and check measures; the aggregate for a fact; null when nothing was counted then.',
    }),
    entities: z.number().int().meta({
      description:
        'Entities counted: those with a standing (or, for a fact, a numeric value) at that time.',
    }),
    meeting: z
      .number()
      .int()
      .optional()
      .meta({ description: 'For a share: how many of them meet it.' }),
  })
  .meta({ id: 'IndicatorValue' });

/** `GET /indicators` */
export const indicatorsResponse = z.object({
  scope: z.string(),
  indicators: z.array(
    z
      .object({
        id: z.string(),
        title: z.string(),
        description: z.string(),
        measure: z.discriminatedUnion('type', [
          z.object({
            type: z.literal('level'),
            scorecardId: z.string(),
            level: z.string(),
          }),
          z.object({ type: z.literal('check'), checkId: z.string() }),
          z.object({
            type: z.literal('fact'),
            fact: z.string(),
            aggregate: z.enum(['median', 'mean', 'p90']),
            unit: z.string().optional(),
          }),
        ]),
        now: indicatorValue,
        before: indicatorValue.meta({
          description: 'The value 30 days ago, from the history.',
        }),
        change: z.number().nullable().meta({
          description:
            '`now.value - before.value`, one decimal; null when either is null.',
        }),
        higherIsBetter: z.boolean(),
        freshness: z
          .object({
            fresh: z.number().int(),
            stale: z.number().int(),
            oldestObservedAt: timestamp.nullable(),
            newestObservedAt: timestamp.nullable(),
          })
          .optional()
          .meta({
            description:
              'For a fact measure: how many values counted now are within their `freshFor` (or have none) and how many are past it, and the oldest and newest observation counted.',
          }),
      })
      .meta({ id: 'Indicator' }),
  ),
});

const fact = z
  .object({
    entityRef: z.string(),
    name: z.string(),
    value: json,
    observedAt: timestamp,
    freshFor: z.string().optional(),
    source: z.string().optional(),
  })
  .meta({ id: 'Fact' });

/** `GET /facts` */
export const factsPageResponse = z.object({
  facts: z.array(fact),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

/** `POST /facts` */
export const factsAcceptedResponse = z.object({
  accepted: z.number().int(),
});

/** `GET /waivers` */
export const waiversResponse = z.object({
  items: z.array(z.union([storedWaiver, annotationWaiver])),
});

const runFields = {
  id: z.string(),
  trigger: z.enum(['schedule', 'manual']),
  status: z.enum(['running', 'succeeded', 'failed', 'abandoned']).meta({
    description:
      '`abandoned`: still recorded as running after the schedule’s timeout, so it can no longer finish; the backend running it stopped.',
  }),
  startedAt: timestamp,
  finishedAt: timestamp.optional(),
  durationMs: z.number().int().optional(),
  definitionsFingerprint: z.string(),
};

/** `GET /runs` */
export const runsResponse = z.object({
  items: z.array(
    z
      .object({
        ...runFields,
        entities: z.number().int().optional(),
        changed: z.number().int().optional(),
        removed: z.number().int().optional(),
        error: z.string().optional(),
      })
      .meta({ id: 'Run' }),
  ),
});

/** `GET /health` */
export const healthResponse = z.object({ status: z.literal('ok') });

/** An error, as Backstage's error handler writes it. */
export const errorResponse = z
  .object({
    error: z.object({ name: z.string(), message: z.string() }),
    response: z.object({ statusCode: z.number().int() }),
  })
  .meta({ id: 'Error' });

/** True when a schema's output and a type accept the same values. */
type Same<Schema extends z.ZodType, T> = [z.output<Schema>] extends [T]
  ? [T] extends [z.output<Schema>]
    ? true
    : false
  : false;

// Each line fails to compile when a shape above and the type the code sends differ.
export const shapesMatchTypes: [
  Same<typeof checkDefinition, CheckDefinition>,
  Same<typeof definitionsResponse, DefinitionsResponse>,
  Same<typeof entityScorecardsResponse, EntityScorecardsResponse>,
  Same<typeof entityHistoryResponse, EntityHistoryResponse>,
  Same<typeof rollupResponse, RollupResponse>,
  Same<typeof heatmapResponse, HeatmapResponse>,
  Same<typeof entitiesPageResponse, EntitiesPageResponse>,
  Same<typeof trendsResponse, TrendsResponse>,
  Same<typeof fact, Fact>,
  Same<typeof storedWaiver, StoredWaiver>,
  Same<typeof waiversResponse, WaiversResponse>,
  Same<typeof runsResponse, RunsResponse>,
  Same<typeof indicatorsResponse, IndicatorsResponse>,
] = [
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
];

const ERRORS = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
} as const;

/** A JSON answer of an operation. */
export function jsonResponse(
  description: string,
  schema: z.ZodType,
): ZodOpenApiResponseObject {
  return { description, content: { 'application/json': { schema } } };
}

/** The error answers an operation may give, as references to the document's responses. */
export function errorResponses(
  ...statuses: Array<keyof typeof ERRORS>
): ZodOpenApiResponsesObject {
  return Object.fromEntries(
    statuses.map(status => [
      status,
      { $ref: `#/components/responses/${ERRORS[status]}` },
    ]),
  );
}
