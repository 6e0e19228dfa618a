import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type {
  IndicatorMeasure,
  ScorecardDefinitions,
} from '@guardrails/plugin-scorecards-common';
import { z } from 'zod';
import { compileFilter, type CompiledFilter } from '../engine/filters';

/** A headline indicator, as read from `scorecards.indicators`. */
export interface IndicatorDefinition {
  id: string;
  title: string;
  description: string;
  /** The predicate of the entities it counts, as configured. */
  entities: Record<string, unknown>;
  /** That predicate, compiled; it tests the shape {@link indicatorEntityShape} builds. */
  filter: CompiledFilter;
  measure: IndicatorMeasure;
  higherIsBetter: boolean;
}

/** The most indicators a configuration may have: they are headlines. */
export const MAX_INDICATORS = 5;

/**
 * The fields an `entities` predicate may read: what the store keeps of each evaluated entity.
 * `spec.owner`, `spec.system` and `spec.domain` hold full refs, e.g. `group:default/payments`.
 */
export const INDICATOR_ENTITY_PATHS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'spec.type',
  'spec.lifecycle',
  'spec.owner',
  'spec.system',
  'spec.domain',
] as const;

/** The entities indicators count unless they say otherwise: production services. */
export const DEFAULT_INDICATOR_ENTITIES = {
  kind: 'Component',
  'spec.type': 'service',
  'spec.lifecycle': 'production',
};

const AGGREGATES = ['median', 'mean', 'p90'] as const;

const CONFIG_ERROR = 'Invalid scorecards config';

const ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_ID_LENGTH = 57;

const text = (what = 'a string') =>
  z
    .string({ error: `expected ${what}` })
    .min(1, { error: 'must not be empty' });

const indicatorFields = z.strictObject({
  title: text(),
  description: text(),
  entities: z
    .record(z.string(), z.unknown(), {
      error: 'expected a filter predicate object',
    })
    .optional(),
  measure: z.record(z.string(), z.unknown(), {
    error: 'expected an object with a type: level, check or fact',
  }),
});

const measureFields = {
  level: z.strictObject({
    type: z.literal('level'),
    scorecard: text('a scorecard id'),
    level: text('a level name'),
  }),
  check: z.strictObject({
    type: z.literal('check'),
    check: text('a check id'),
  }),
  fact: z.strictObject({
    type: z.literal('fact'),
    fact: text('a fact name'),
    aggregate: z.enum(AGGREGATES, {
      error: issue =>
        `unknown aggregate ${JSON.stringify(
          issue.input,
        )} (known: ${AGGREGATES.join(', ')})`,
    }),
    unit: text().optional(),
    higherIsBetter: z.boolean({ error: 'expected true or false' }).optional(),
  }),
};

type MeasureType = keyof typeof measureFields;

function fail(field: string, detail: string): never {
  throw new InputError(`${CONFIG_ERROR}: field '${field}': ${detail}`);
}

function pathText(path: readonly PropertyKey[]): string {
  return path
    .map(segment =>
      typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`,
    )
    .join('');
}

/** Throws the first problem zod found, naming the field under `at`. */
function failWith(
  at: string,
  error: z.ZodError,
  known: readonly string[],
): never {
  const issue = error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    fail(
      `${at}${pathText([...issue.path, issue.keys[0]])}`,
      `unknown field (known: ${known.join(', ')})`,
    );
  }
  fail(`${at}${pathText(issue.path)}`, issue.message);
}

/**
 * The shape an `entities` predicate is tested against: what the store keeps of an entity, in
 * the catalog's field names.
 */
export function indicatorEntityShape(info: {
  entityRef: string;
  kind: string;
  title?: string;
  type?: string;
  lifecycle?: string;
  ownerRef?: string;
  systemRef?: string;
  domainRef?: string;
}) {
  const [, namespace, name] = /^[^:]+:([^/]+)\/(.+)$/.exec(info.entityRef) ?? [
    '',
    undefined,
    info.entityRef,
  ];
  return {
    kind: info.kind,
    metadata: { name, namespace, title: info.title },
    spec: {
      type: info.type,
      lifecycle: info.lifecycle,
      owner: info.ownerRef,
      system: info.systemRef,
      domain: info.domainRef,
    },
  };
}

function compileEntities(at: string, predicate: Record<string, unknown>) {
  let filter: CompiledFilter;
  try {
    filter = compileFilter(predicate);
  } catch (error) {
    fail(`${at}.entities`, (error as Error).message);
  }
  const allowed: readonly string[] = INDICATOR_ENTITY_PATHS;
  for (const path of filter.paths) {
    if (!allowed.includes(path)) {
      fail(
        `${at}.entities`,
        `'${path}' is not a field the store keeps of an entity (known: ${allowed.join(
          ', ',
        )})`,
      );
    }
  }
  return filter;
}

function parseMeasure(
  at: string,
  raw: Record<string, unknown>,
  definitions: ScorecardDefinitions,
): { measure: IndicatorMeasure; higherIsBetter: boolean } {
  const type = raw.type;
  if (typeof type !== 'string' || !(type in measureFields)) {
    fail(
      `${at}.type`,
      `expected level, check or fact, got ${JSON.stringify(type ?? null)}`,
    );
  }
  const schema = measureFields[type as MeasureType];
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    failWith(at, parsed.error, Object.keys(schema.shape));
  }
  const fields = parsed.data;
  switch (fields.type) {
    case 'level': {
      const scorecard = definitions.scorecards.find(
        s => s.id === fields.scorecard,
      );
      if (!scorecard) {
        fail(
          `${at}.scorecard`,
          `unknown scorecard '${
            fields.scorecard
          }' (known: ${definitions.scorecards.map(s => s.id).join(', ')})`,
        );
      }
      const levels = scorecard.levels.map(l => l.name);
      if (!levels.includes(fields.level)) {
        fail(
          `${at}.level`,
          `scorecard '${scorecard.id}' has no level '${
            fields.level
          }' (levels: ${levels.join(', ')})`,
        );
      }
      return {
        measure: {
          type: 'level',
          scorecardId: scorecard.id,
          level: fields.level,
        },
        higherIsBetter: true,
      };
    }
    case 'check': {
      if (!definitions.checks.some(c => c.id === fields.check)) {
        fail(`${at}.check`, `unknown check '${fields.check}'`);
      }
      if (!definitions.scorecards.some(s => s.checks.includes(fields.check))) {
        fail(
          `${at}.check`,
          `check '${fields.check}' is in no scorecard, so it is never evaluated`,
        );
      }
      return {
        measure: { type: 'check', checkId: fields.check },
        higherIsBetter: true,
      };
    }
    default:
      return {
        measure: {
          type: 'fact',
          fact: fields.fact,
          aggregate: fields.aggregate,
          ...(fields.unit !== undefined && { unit: fields.unit }),
        },
        higherIsBetter: fields.higherIsBetter ?? true,
      };
  }
}

/**
 * The indicators shown when `scorecards.indicators` is absent: the share of production services
 * at Silver or above of the built-in scorecard, with a service-level objective, with alerts
 * routed to on-call, and with a current security review. Those whose scorecard, level or check
 * the definitions lack (the built-ins disabled) are left out.
 */
export function defaultIndicators(
  definitions: ScorecardDefinitions,
): IndicatorDefinition[] {
  const filter = compileFilter(DEFAULT_INDICATOR_ENTITIES);
  const base = {
    entities: DEFAULT_INDICATOR_ENTITIES,
    filter,
    higherIsBetter: true,
  };
  const indicators: IndicatorDefinition[] = [];
  const silver = definitions.scorecards.find(
    s => s.id === 'production-readiness',
  );
  if (silver?.levels.some(l => l.name === 'Silver')) {
    indicators.push({
      ...base,
      id: 'silver-or-above',
      title: 'Production services at Silver or above',
      description:
        'The share of production services at Silver or above of the Production readiness scorecard.',
      measure: {
        type: 'level',
        scorecardId: 'production-readiness',
        level: 'Silver',
      },
    });
  }
  const checks: Array<[string, string, string]> = [
    [
      'slo-defined',
      'Production services with an SLO',
      'The share of production services that state a service-level objective.',
    ],
    [
      'on-call',
      'Production services with alerts routed to on-call',
      'The share of production services whose alerts reach an on-call rotation.',
    ],
    [
      'security-review',
      'Production services with a current security review',
      'The share of production services reviewed for security in the last year.',
    ],
  ];
  for (const [checkId, title, description] of checks) {
    if (definitions.scorecards.some(s => s.checks.includes(checkId))) {
      indicators.push({
        ...base,
        id: checkId,
        title,
        description,
        measure: { type: 'check', checkId },
      });
    }
  }
  return indicators;
}

/**
 * Reads the headline indicators under `scorecards.indicators` (by id, at most
 * {@link MAX_INDICATORS}), checked against the definitions they name; without that key, the
 * {@link defaultIndicators}. Throws an InputError naming the field, e.g.
 * `scorecards.indicators.slo.measure.check`, when anything is invalid, so that a bad
 * configuration stops the backend at start.
 */
export function readIndicators(
  config: Config,
  definitions: ScorecardDefinitions,
): IndicatorDefinition[] {
  const raw = config.getOptional('scorecards.indicators');
  if (raw === undefined) {
    return defaultIndicators(definitions);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    fail('scorecards.indicators', 'expected an object of indicators by id');
  }
  const entries = Object.entries(raw);
  if (entries.length === 0) {
    fail(
      'scorecards.indicators',
      `configure 1 to ${MAX_INDICATORS} indicators, or leave the key out for the defaults`,
    );
  }
  if (entries.length > MAX_INDICATORS) {
    fail(
      'scorecards.indicators',
      `${entries.length} indicators configured; headlines are at most ${MAX_INDICATORS}`,
    );
  }
  return entries.map(([id, value]) => {
    const at = `scorecards.indicators.${id}`;
    if (!ID_PATTERN.test(id) || id.length > MAX_ID_LENGTH) {
      fail(
        at,
        `an indicator id must be kebab-case (lower-case letters, digits and dashes) and at most ${MAX_ID_LENGTH} characters`,
      );
    }
    const parsed = indicatorFields.safeParse(value ?? {});
    if (!parsed.success) {
      failWith(at, parsed.error, Object.keys(indicatorFields.shape));
    }
    const fields = parsed.data;
    const entities = fields.entities ?? DEFAULT_INDICATOR_ENTITIES;
    return {
      id,
      title: fields.title,
      description: fields.description,
      entities,
      filter: compileEntities(at, entities),
      ...parseMeasure(`${at}.measure`, fields.measure, definitions),
    };
  });
}
