import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  CHECK_SEVERITY_WEIGHTS,
  CheckDefinition,
  ScorecardDefinition,
  ScorecardDefinitions,
} from '@guardrails/plugin-scorecards-common';
import type { RuleOperator } from '@guardrails/plugin-scorecards-node';
import { z } from 'zod';
import { ScorecardEngine } from '../engine';
import { BUILTIN_CHECKS, BUILTIN_SCORECARD } from './builtin';

/**
 * Checks, scorecards and operators that modules add in code, beside those in app-config.
 */
export interface ReadScorecardDefinitionsOptions {
  checks?: CheckDefinition[];
  scorecards?: ScorecardDefinition[];
  /** Operators the rules may use besides the built-in ones. */
  operators?: RuleOperator<unknown>[];
  /** The longest a waiver may last, as an ISO-8601 duration; absent means no limit. */
  waiverMaxDuration?: string;
}

const CONFIG_ERROR = 'Invalid scorecards config';
const CODE_ERROR = 'Invalid scorecard definitions added in code';

// Ids end up in `guardrails.dev/waive.<check-id>`, whose name part may hold 63 characters.
const ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_ID_LENGTH = 57;

const SEVERITIES = Object.keys(CHECK_SEVERITY_WEIGHTS) as [string, ...string[]];

const text = (what = 'a string') =>
  z
    .string({ error: `expected ${what}` })
    .min(1, { error: 'must not be empty' });

const predicate = z.record(z.string(), z.unknown(), {
  error: 'expected a filter predicate object',
});

// The engine checks that the text is an ISO date.
const isoDate = z.string({ error: 'expected an ISO date such as 2027-01-15' });

const checkFields = z.strictObject({
  title: text(),
  description: text(),
  category: text(),
  severity: z.enum(SEVERITIES, {
    error: issue =>
      `unknown severity ${JSON.stringify(
        issue.input,
      )} (known: ${SEVERITIES.join(', ')})`,
  }),
  appliesTo: predicate,
  rule: predicate,
  remediation: z.string({ error: 'expected markdown text' }),
  links: z.array(z.strictObject({ url: text('a URL'), title: text() }), {
    error: 'expected a list of { url, title }',
  }),
  enforcedFrom: isoDate,
});

const REQUIRED_CHECK_FIELDS = [
  'title',
  'description',
  'category',
  'severity',
  'rule',
] as const;

const checkOverride = checkFields.partial();

const scorecardFields = z.strictObject({
  title: text(),
  description: text(),
  appliesTo: predicate,
  checks: z.array(text('a check id'), {
    error: 'expected a list of check ids',
  }),
  levels: z
    .array(
      z.strictObject({
        name: text(),
        checks: z.array(text('a check id'), {
          error: 'expected a list of check ids',
        }),
      }),
      { error: 'expected a list of levels' },
    )
    .min(1, { error: 'a scorecard needs at least one level' }),
});

const REQUIRED_SCORECARD_FIELDS = [
  'title',
  'description',
  'checks',
  'levels',
] as const;

const scorecardOverride = scorecardFields.partial();

const rootSchema = z.strictObject({
  builtins: z
    .strictObject({
      enabled: z.boolean({ error: 'expected true or false' }).optional(),
      disabledChecks: z
        .array(z.string(), { error: 'expected a list of check ids' })
        .optional(),
    })
    .optional(),
  checks: z
    .record(z.string(), z.unknown(), {
      error: 'expected an object of checks by id',
    })
    .optional(),
  scorecards: z
    .record(z.string(), z.unknown(), {
      error: 'expected an object of scorecards by id',
    })
    .optional(),
  // Read by the plugin itself, not here.
  schedule: z.unknown().optional(),
  history: z.unknown().optional(),
  waivers: z.unknown().optional(),
  indicators: z.unknown().optional(),
});

function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((segment, i) => {
      if (typeof segment === 'number') {
        return `[${segment}]`;
      }
      return i === 0 ? String(segment) : `.${String(segment)}`;
    })
    .join('');
}

/** The first problem zod found, as `field 'x': message`. */
function describeIssue(error: z.ZodError, allowed: readonly string[]): string {
  const issue = error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    const field = pathText([...issue.path, key]);
    return `field '${field}': unknown field (known: ${allowed.join(', ')})`;
  }
  return `field '${pathText(issue.path) || '(root)'}': ${issue.message}`;
}

function fail(prefix: string, what: string, detail: string): never {
  throw new InputError(`${prefix}: ${what} ${detail}`);
}

function checkId(prefix: string, what: 'check' | 'scorecard', id: string) {
  if (!ID_PATTERN.test(id) || id.length > MAX_ID_LENGTH) {
    fail(
      prefix,
      `${what} '${id}'`,
      `field 'id': must be kebab-case (lower-case letters, digits and dashes) and at most ${MAX_ID_LENGTH} characters`,
    );
  }
}

function parseCheck(
  prefix: string,
  id: string,
  raw: unknown,
  base: CheckDefinition | undefined,
): CheckDefinition {
  const parsed = checkOverride.safeParse(raw ?? {});
  if (!parsed.success) {
    fail(
      prefix,
      `check '${id}'`,
      describeIssue(parsed.error, Object.keys(checkFields.shape)),
    );
  }
  const fields = parsed.data;
  if (!base) {
    for (const field of REQUIRED_CHECK_FIELDS) {
      if (fields[field] === undefined) {
        fail(
          prefix,
          `check '${id}'`,
          `field '${field}': required for a new check (${REQUIRED_CHECK_FIELDS.join(
            ', ',
          )} are)`,
        );
      }
    }
  }
  return { ...base, ...definedOnly(fields), id } as CheckDefinition;
}

function parseScorecard(
  prefix: string,
  id: string,
  raw: unknown,
  base: ScorecardDefinition | undefined,
): ScorecardDefinition {
  const parsed = scorecardOverride.safeParse(raw ?? {});
  if (!parsed.success) {
    fail(
      prefix,
      `scorecard '${id}'`,
      describeIssue(parsed.error, Object.keys(scorecardFields.shape)),
    );
  }
  const fields = parsed.data;
  if (!base) {
    for (const field of REQUIRED_SCORECARD_FIELDS) {
      if (fields[field] === undefined) {
        fail(
          prefix,
          `scorecard '${id}'`,
          `field '${field}': required for a new scorecard (${REQUIRED_SCORECARD_FIELDS.join(
            ', ',
          )} are)`,
        );
      }
    }
  }
  return { ...base, ...definedOnly(fields), id } as ScorecardDefinition;
}

/** A scorecard lists each check once, and each level requires checks of the scorecard once. */
function checkLevels(prefix: string, scorecard: ScorecardDefinition) {
  const what = `scorecard '${scorecard.id}'`;
  const members = new Set<string>();
  scorecard.checks.forEach((check, i) => {
    if (members.has(check)) {
      fail(
        prefix,
        what,
        `field 'checks[${i}]': check '${check}' is listed twice`,
      );
    }
    members.add(check);
  });
  const levelOf = new Map<string, string>();
  const names = new Set<string>();
  scorecard.levels.forEach((level, l) => {
    if (names.has(level.name)) {
      fail(
        prefix,
        what,
        `field 'levels[${l}].name': duplicate level name '${level.name}'`,
      );
    }
    names.add(level.name);
    level.checks.forEach((check, i) => {
      const field = `levels[${l}].checks[${i}]`;
      if (!members.has(check)) {
        fail(
          prefix,
          what,
          `field '${field}': check '${check}' is not in the scorecard's checks (add it to 'checks')`,
        );
      }
      const other = levelOf.get(check);
      if (other !== undefined) {
        fail(
          prefix,
          what,
          `field '${field}': check '${check}' is already required by level '${other}'`,
        );
      }
      levelOf.set(check, level.name);
    });
  });
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

/**
 * Reads the checks and scorecards to evaluate: the built-in "Production readiness" scorecard
 * (unless disabled), the checks and scorecards modules add in code, and those under
 * `scorecards.checks` and `scorecards.scorecards` in app-config, where an existing id overrides
 * only the fields given and a new id must give every required field.
 *
 * Checks them (zod for their fields, then the references between them) and compiles them into
 * the engine that evaluates them. Throws an InputError naming the check or scorecard and the
 * field when anything is invalid, so that a bad configuration stops the backend at start.
 */
export function createScorecardEngine(
  config: Config,
  options: ReadScorecardDefinitionsOptions = {},
): ScorecardEngine {
  const raw = config.getOptional('scorecards') ?? {};
  const root = rootSchema.safeParse(raw);
  if (!root.success) {
    throw new InputError(
      `${CONFIG_ERROR}: ${describeIssue(
        root.error,
        Object.keys(rootSchema.shape),
      ).replace(/^field '/, "field 'scorecards.")}`,
    );
  }
  const {
    builtins = {},
    checks: checkConfig = {},
    scorecards: scorecardConfig = {},
  } = root.data;

  const builtinIds = new Set(BUILTIN_CHECKS.map(c => c.id));
  const disabled = new Set(builtins.disabledChecks ?? []);
  for (const id of disabled) {
    if (!builtinIds.has(id)) {
      throw new InputError(
        `${CONFIG_ERROR}: field 'scorecards.builtins.disabledChecks': '${id}' is not a built-in check (built-in checks: ${[
          ...builtinIds,
        ].join(', ')})`,
      );
    }
  }
  const builtinsEnabled = builtins.enabled ?? true;
  const removed = (id: string) =>
    builtinsEnabled && disabled.has(id)
      ? ` (disabled in scorecards.builtins.disabledChecks)`
      : '';

  const checks = new Map<string, CheckDefinition>();
  const origin = new Map<string, string>();
  if (builtinsEnabled) {
    for (const check of BUILTIN_CHECKS) {
      if (!disabled.has(check.id)) {
        checks.set(check.id, check);
        origin.set(check.id, 'a built-in check');
      }
    }
  }
  for (const check of options.checks ?? []) {
    const id = String(check?.id);
    checkId(CODE_ERROR, 'check', id);
    if (checks.has(id)) {
      fail(
        CODE_ERROR,
        `check '${id}'`,
        `field 'id': duplicate id (already ${origin.get(id)})`,
      );
    }
    const { id: _id, ...fields } = check;
    checks.set(id, parseCheck(CODE_ERROR, id, fields, undefined));
    origin.set(id, 'added by a module');
  }
  for (const [id, value] of Object.entries(checkConfig)) {
    checkId(CONFIG_ERROR, 'check', id);
    if (builtinsEnabled && disabled.has(id)) {
      fail(
        CONFIG_ERROR,
        `check '${id}'`,
        `field 'id': the built-in check is disabled in scorecards.builtins.disabledChecks; remove it there to configure it`,
      );
    }
    checks.set(id, parseCheck(CONFIG_ERROR, id, value, checks.get(id)));
  }

  const scorecards = new Map<string, ScorecardDefinition>();
  if (builtinsEnabled) {
    const without = (ids: string[]) => ids.filter(id => !disabled.has(id));
    scorecards.set(BUILTIN_SCORECARD.id, {
      ...BUILTIN_SCORECARD,
      checks: without(BUILTIN_SCORECARD.checks),
      levels: BUILTIN_SCORECARD.levels.map(level => ({
        ...level,
        checks: without(level.checks),
      })),
    });
  }
  const codeScorecards = new Set<string>();
  for (const scorecard of options.scorecards ?? []) {
    const id = String(scorecard?.id);
    codeScorecards.add(id);
    checkId(CODE_ERROR, 'scorecard', id);
    if (scorecards.has(id)) {
      fail(CODE_ERROR, `scorecard '${id}'`, `field 'id': duplicate id`);
    }
    const { id: _id, ...fields } = scorecard;
    scorecards.set(id, parseScorecard(CODE_ERROR, id, fields, undefined));
  }
  for (const [id, value] of Object.entries(scorecardConfig)) {
    checkId(CONFIG_ERROR, 'scorecard', id);
    const scorecard = parseScorecard(
      CONFIG_ERROR,
      id,
      value,
      scorecards.get(id),
    );
    scorecards.set(id, scorecard);
  }
  for (const scorecard of scorecards.values()) {
    const prefix =
      codeScorecards.has(scorecard.id) && !(scorecard.id in scorecardConfig)
        ? CODE_ERROR
        : CONFIG_ERROR;
    const named = [
      ...scorecard.checks.map((c, i) => [`checks[${i}]`, c] as const),
      ...scorecard.levels.flatMap((level, l) =>
        level.checks.map((c, i) => [`levels[${l}].checks[${i}]`, c] as const),
      ),
    ];
    for (const [field, check] of named) {
      if (!checks.has(check)) {
        fail(
          prefix,
          `scorecard '${scorecard.id}'`,
          `field '${field}': unknown check '${check}'${removed(check)}`,
        );
      }
    }
    checkLevels(prefix, scorecard);
  }

  const definitions: ScorecardDefinitions = {
    checks: [...checks.values()],
    scorecards: [...scorecards.values()],
  };
  try {
    return new ScorecardEngine(definitions, {
      operators: options.operators,
      waiverMaxDuration: options.waiverMaxDuration,
      errorPrefix: CONFIG_ERROR,
    });
  } catch (error) {
    // Name the true source of a definition that only a module gave.
    const match = /^[^:]+: (check|scorecard) '([^']+)'/.exec(
      (error as Error).message,
    );
    const [, what, id] = match ?? [];
    const fromCode =
      what === 'check'
        ? origin.get(id) === 'added by a module' && !(id in checkConfig)
        : codeScorecards.has(id) && !(id in scorecardConfig);
    if (match && fromCode) {
      throw new InputError(
        (error as Error).message.replace(CONFIG_ERROR, CODE_ERROR),
      );
    }
    throw error;
  }
}

/** The scorecard of a request that names none: the first one defined. */
export function defaultScorecardId(
  definitions: ScorecardDefinitions,
): string | undefined {
  return definitions.scorecards[0]?.id;
}

/**
 * Reads the checks and scorecards to evaluate, as {@link createScorecardEngine} does, and
 * returns the definitions.
 */
export function readScorecardDefinitions(
  config: Config,
  options: ReadScorecardDefinitionsOptions = {},
): ScorecardDefinitions {
  return createScorecardEngine(config, options).definitions;
}
