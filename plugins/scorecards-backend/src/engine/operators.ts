import { JsonValue } from '@guardrails/plugin-scorecards-common';
import type {
  RuleOperator,
  RuleOperatorContext,
  RuleOperatorOutcome,
} from '@guardrails/plugin-scorecards-node';
import { normalizeEntityRef } from './catalogIndex';
import {
  DAY_MS,
  ageInWords,
  compileDuration,
  isDateOnly,
  parseIsoInstant,
  startOfUtcDay,
} from './dates';
import {
  compileFilter,
  compileFilterValueOperator,
  equalsConstant,
} from './filters';
import {
  Primitive,
  describeJsonType,
  isPlainObject,
  located,
  syntaxError,
} from './grammar';
import { formatPrimitive, withArticle } from './phrases';
import type { CompiledOperator, EvalScope, NumericOperator } from './verdict';

/** Compiles an operator's argument; throws an InputError saying what is wrong and where. */
export type OperatorCompiler = (
  arg: unknown,
  where: string,
) => CompiledOperator;

/**
 * A bad argument of a built-in operator, whose message names the place in the rule itself
 * (`operator '$gt' at spec.replicas expects a number`), where a module's message follows it.
 */
class ArgumentError extends Error {
  constructor(readonly at: (where: string) => string) {
    super(at(''));
  }
}

/** Runs a check of an argument that names its place in the rule, for a built-in's `compile`. */
function checked<T>(check: (where: string) => T): T {
  try {
    return check('');
  } catch (error) {
    throw new ArgumentError(where => {
      try {
        check(where);
      } catch (placed) {
        return (placed as Error).message;
      }
      return (error as Error).message;
    });
  }
}

/** Numeric operators in words, e.g. `$gte` is `at least`. */
export const NUMERIC_WORDS: Record<NumericOperator, string> = {
  $gt: 'greater than',
  $gte: 'at least',
  $lt: 'less than',
  $lte: 'at most',
};

const NUMERIC_TEXT = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** A number, or a string that is exactly a decimal number; NaN otherwise. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') {
    return value;
  }
  if (typeof value === 'string' && NUMERIC_TEXT.test(value)) {
    return Number(value);
  }
  return NaN;
}

const PASS: RuleOperatorOutcome = { result: 'pass' };
const FAIL: RuleOperatorOutcome = { result: 'fail' };
const passIf = (holds: boolean) => (holds ? PASS : FAIL);

const COMPARE: Record<NumericOperator, (n: number, limit: number) => boolean> =
  {
    $gt: (n, limit) => n > limit,
    $gte: (n, limit) => n >= limit,
    $lt: (n, limit) => n < limit,
    $lte: (n, limit) => n <= limit,
  };

function numeric(name: NumericOperator): RuleOperator<number> {
  return {
    name,
    compile: arg =>
      checked(where => {
        if (typeof arg !== 'number' || !Number.isFinite(arg)) {
          syntaxError(
            `operator '${name}' ${located(
              where,
            )} expects a number, got ${describeJsonType(arg)}`,
          );
        }
        return arg;
      }),
    describe: limit => `a number ${NUMERIC_WORDS[name]} ${limit}`,
    evaluate(value, limit) {
      const n = toNumber(value);
      if (value !== undefined && Number.isNaN(n)) {
        return { result: 'error' };
      }
      return passIf(COMPARE[name](n, limit));
    },
  };
}

const ALLOWED_REGEX_FLAGS = /^[imsu]*$/;

function matchesArgument(arg: unknown, where: string) {
  let pattern: unknown = arg;
  let flags: unknown = '';
  let description: unknown;
  if (isPlainObject(arg)) {
    for (const key of Object.keys(arg)) {
      if (key !== 'pattern' && key !== 'flags' && key !== 'description') {
        syntaxError(
          `operator '$matches' ${located(
            where,
          )} has an unknown field '${key}' (known: pattern, flags, description)`,
        );
      }
    }
    ({ pattern, flags = '', description } = arg);
  }
  if (typeof pattern !== 'string') {
    syntaxError(
      `operator '$matches' ${located(
        where,
      )} expects a regular expression string or { pattern, flags }, got ${describeJsonType(
        pattern,
      )}`,
    );
  }
  if (typeof flags !== 'string' || !ALLOWED_REGEX_FLAGS.test(flags)) {
    syntaxError(
      `operator '$matches' ${located(where)} has invalid flags ${JSON.stringify(
        flags,
      )} (allowed: i, m, s, u; g and y would make matching depend on earlier matches)`,
    );
  }
  if (description !== undefined && typeof description !== 'string') {
    syntaxError(
      `operator '$matches' ${located(
        where,
      )} expects description to be a string`,
    );
  }
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, flags);
  } catch (error) {
    return syntaxError(
      `operator '$matches' ${located(
        where,
      )} has a bad regular expression /${pattern}/${flags}: ${
        (error as Error).message
      }`,
    );
  }
  return {
    regex,
    expectation:
      (description as string | undefined) ??
      `a value matching /${pattern}/${flags}`,
  };
}

const matches: RuleOperator<{ regex: RegExp; expectation: string }> = {
  name: '$matches',
  compile: arg => checked(where => matchesArgument(arg, where)),
  describe: ({ expectation }) => expectation,
  evaluate: (value, { regex }) =>
    passIf(typeof value === 'string' && regex.test(value)),
};

const within: RuleOperator<ReturnType<typeof compileDuration>> = {
  name: '$within',
  compile: arg => compileDuration(arg),
  describe: duration => `a date within the last ${duration.words}`,
  evaluate(value, duration, now) {
    if (value === undefined) {
      return FAIL;
    }
    if (typeof value !== 'string') {
      return { result: 'error', problem: 'which is not a date' };
    }
    const millis = parseIsoInstant(value);
    if (Number.isNaN(millis)) {
      return {
        result: 'error',
        problem: 'which is not an ISO date (YYYY-MM-DD)',
      };
    }
    // A date a little ahead is clock skew or a time zone; further ahead it is a typo.
    const nowMs = now.getTime();
    if (millis > nowMs + DAY_MS) {
      return { result: 'error', problem: 'which is in the future' };
    }
    const dateOnly = isDateOnly(value);
    const cutoff = duration.before(nowMs);
    return {
      result:
        millis >= (dateOnly ? startOfUtcDay(cutoff) : cutoff) ? 'pass' : 'fail',
      reason: ageInWords(millis, nowMs, dateOnly),
    };
  },
};

const ENTITY_DEFAULTS = { kind: 'group', namespace: 'default' };

const entity: RuleOperator<{
  test: (entity: unknown) => boolean;
  wanted: string;
}> = {
  name: '$entity',
  compile: arg =>
    checked(where => {
      if (!isPlainObject(arg)) {
        syntaxError(
          `operator '$entity' ${located(
            where,
          )} expects a filter predicate such as { kind: 'Group' }, got ${describeJsonType(
            arg,
          )}`,
        );
      }
      const filter = compileFilter(arg, `${where} $entity`);
      const keys = Object.keys(arg);
      let wanted = `an entity where ${filter.description}`;
      if (keys.length === 0) {
        wanted = 'an entity';
      } else if (keys.length === 1 && typeof arg.kind === 'string') {
        wanted = withArticle(arg.kind);
      }
      return { test: filter.test, wanted };
    }),
  describe: ({ wanted }) => `${wanted} in the catalog`,
  evaluate(value, { test, wanted }, _now, context) {
    if (value === undefined) {
      return FAIL;
    }
    const ref =
      typeof value === 'string'
        ? normalizeEntityRef(value, ENTITY_DEFAULTS)
        : undefined;
    if (ref === undefined) {
      return { result: 'fail', reason: 'which is not an entity reference' };
    }
    const target = context.getEntity(ref);
    if (target === undefined) {
      return { result: 'fail', reason: 'which is not in the catalog' };
    }
    return test(target)
      ? { result: 'pass', reason: 'which exists' }
      : { result: 'fail', reason: `which is not ${wanted}` };
  },
};

function filterOperator(
  name: '$exists' | '$in' | '$hasPrefix',
): RuleOperator<{ test: (value: unknown) => boolean; description: string }> {
  return {
    name,
    compile: arg =>
      checked(where => compileFilterValueOperator(name, arg, where)!),
    describe: ({ description }) => description,
    evaluate: (value, { test }) => passIf(test(value)),
  };
}

/** Whether a value is missing, null, text of nothing but whitespace, or an empty list or object. */
export function isBlank(value: unknown): boolean {
  if (value === undefined || value === null) {
    return true;
  }
  if (typeof value === 'string') {
    return value.trim() === '';
  }
  if (Array.isArray(value)) {
    return value.length === 0;
  }
  return typeof value === 'object' && Object.keys(value).length === 0;
}

/**
 * `$notBlank`: unlike `$exists`, which follows the library (any value, even `''`, exists), a
 * blank value does not count.
 */
const notBlank: RuleOperator<boolean> = {
  name: '$notBlank',
  compile: arg =>
    checked(where => {
      if (typeof arg !== 'boolean') {
        syntaxError(
          `operator '$notBlank' ${located(
            where,
          )} expects true or false, got ${describeJsonType(arg)}`,
        );
      }
      return arg;
    }),
  describe: wanted =>
    wanted ? 'a value that is not blank' : 'no value, or a blank one',
  evaluate: (value, wanted) => passIf(isBlank(value) !== wanted),
};

/** Compiles equality with a constant, the library's default when a path maps to a value. */
export function compileEquality(constant: Primitive): CompiledOperator {
  return {
    name: '=',
    argument: constant,
    expectation: formatPrimitive(constant),
    test: value => ({
      outcome: equalsConstant(value, constant) ? 'pass' : 'fail',
    }),
  };
}

/** Turns an operator's problem text into a clause that follows the value. */
function problemClause(problem: string): string {
  return /^(is|has|does|was|contains|lacks)\b/.test(problem)
    ? `which ${problem}`
    : problem;
}

function contextOf(scope: EvalScope): RuleOperatorContext {
  return { getEntity: ref => scope.catalog.get(ref.toLowerCase()) };
}

/** Compiles the argument of an operator, built-in or added by a module, for a rule's leaf. */
function adapt(operator: RuleOperator<unknown>): OperatorCompiler {
  return (arg, where) => {
    let argument: unknown;
    try {
      argument = operator.compile(arg as JsonValue);
    } catch (error) {
      syntaxError(
        error instanceof ArgumentError
          ? error.at(where)
          : `operator '${operator.name}' ${located(where)}: ${
              (error as Error)?.message ?? String(error)
            }`,
      );
    }
    const run = (value: unknown, scope: EvalScope): RuleOperatorOutcome => {
      try {
        return operator.evaluate(
          value as JsonValue | undefined,
          argument,
          scope.now,
          contextOf(scope),
        );
      } catch (error) {
        return {
          result: 'error',
          problem: `which ${operator.name} could not check (${
            (error as Error)?.message ?? String(error)
          })`,
        };
      }
    };
    return {
      name: operator.name,
      argument: arg,
      expectation: operator.describe(argument),
      test(value, scope) {
        const outcome = run(value, scope) ?? FAIL;
        if (outcome.result === 'error') {
          return {
            // A missing value is never an error, whatever the operator says.
            outcome: value === undefined ? 'fail' : 'error',
            reason: outcome.problem
              ? problemClause(outcome.problem)
              : undefined,
          };
        }
        return {
          outcome: outcome.result === 'pass' ? 'pass' : 'fail',
          reason: outcome.reason,
        };
      },
    };
  };
}

/** The value operators every rule can use, written against the same interface modules use. */
const BUILTINS: readonly RuleOperator<unknown>[] = [
  filterOperator('$exists'),
  filterOperator('$in'),
  filterOperator('$hasPrefix'),
  notBlank,
  matches,
  numeric('$gt'),
  numeric('$gte'),
  numeric('$lt'),
  numeric('$lte'),
  within,
  entity,
];

/** The value operators every rule can use, by name. */
export const BUILTIN_OPERATORS: ReadonlyMap<string, OperatorCompiler> = new Map(
  BUILTINS.map(operator => [operator.name, adapt(operator)]),
);

/** Operators the rule compiler builds itself, and the logical ones. */
const STRUCTURAL_OPERATORS = ['$contains', '$link', '$all', '$any', '$not'];

/**
 * The operators a rule may use: the built-ins, `$contains`, `$link`, and any added by modules through
 * the `RuleOperator` interface of `@guardrails/plugin-scorecards-node`.
 */
export class OperatorRegistry {
  /** Operators by name, `$contains` and `$link` excluded (they are structural). */
  readonly compilers: ReadonlyMap<string, OperatorCompiler>;
  /** Every operator name, for error messages. */
  readonly names: readonly string[];

  constructor(custom: readonly RuleOperator<unknown>[] = []) {
    const compilers = new Map(BUILTIN_OPERATORS);
    for (const operator of custom) {
      if (
        typeof operator.name !== 'string' ||
        !/^\$[A-Za-z][A-Za-z0-9_]*$/.test(operator.name)
      ) {
        throw new Error(
          `Invalid rule operator name '${operator.name}': it must start with $ followed by a letter`,
        );
      }
      if (
        compilers.has(operator.name) ||
        STRUCTURAL_OPERATORS.includes(operator.name)
      ) {
        throw new Error(`Rule operator '${operator.name}' is already defined`);
      }
      compilers.set(operator.name, adapt(operator));
    }
    this.compilers = compilers;
    const added = [...compilers.keys()].filter(n => !BUILTIN_OPERATORS.has(n));
    this.names = [
      '$exists',
      '$in',
      '$contains',
      '$hasPrefix',
      ...[...BUILTIN_OPERATORS.keys()].filter(
        n => !['$exists', '$in', '$hasPrefix'].includes(n),
      ),
      '$link',
      ...added,
    ];
  }
}
