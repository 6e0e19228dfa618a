import { JsonValue } from '@guardrails/plugin-scorecards-common';
import type {
  RuleOperator,
  RuleOperatorOutcome,
} from '@guardrails/plugin-scorecards-node';
import { normalizeEntityRef } from './catalogIndex';
import {
  CompiledDuration,
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
import type {
  CompiledOperator,
  EvalScope,
  NumericOperator,
  Outcome,
} from './verdict';

/** Compiles an operator's argument; throws an InputError saying what is wrong. */
export type OperatorCompiler = (
  arg: unknown,
  where: string,
) => CompiledOperator;

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

function numeric(operator: NumericOperator): OperatorCompiler {
  return (arg, where) => {
    if (typeof arg !== 'number' || !Number.isFinite(arg)) {
      syntaxError(
        `operator '${operator}' ${located(
          where,
        )} expects a number, got ${describeJsonType(arg)}`,
      );
    }
    const limit = arg;
    let compare: (n: number) => boolean;
    switch (operator) {
      case '$gt':
        compare = n => n > limit;
        break;
      case '$gte':
        compare = n => n >= limit;
        break;
      case '$lt':
        compare = n => n < limit;
        break;
      default:
        compare = n => n <= limit;
    }
    return {
      name: operator,
      expectation: `a number ${NUMERIC_WORDS[operator]} ${limit}`,
      canError: true,
      bound: { operator, limit },
      test(value) {
        if (value === undefined) {
          return 'fail';
        }
        const n = toNumber(value);
        if (Number.isNaN(n)) {
          return 'error';
        }
        return compare(n) ? 'pass' : 'fail';
      },
    };
  };
}

const ALLOWED_REGEX_FLAGS = /^[imsu]*$/;

const compileMatches: OperatorCompiler = (arg, where) => {
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
    name: '$matches',
    expectation:
      (description as string | undefined) ??
      `a value matching /${pattern}/${flags}`,
    canError: false,
    test: value =>
      typeof value === 'string' && regex.test(value) ? 'pass' : 'fail',
  };
};

const compileWithin: OperatorCompiler = (arg, where) => {
  let duration: CompiledDuration;
  try {
    duration = compileDuration(arg);
  } catch (error) {
    return syntaxError(
      `operator '$within' ${located(where)}: ${(error as Error).message}`,
    );
  }
  // A date a little ahead is clock skew or a time zone; further ahead it is a typo.
  const read = (value: unknown, nowMs: number): Outcome => {
    if (typeof value !== 'string') {
      return 'error';
    }
    const millis = parseIsoInstant(value);
    if (Number.isNaN(millis) || millis > nowMs + DAY_MS) {
      return 'error';
    }
    const cutoff = duration.before(nowMs);
    if (isDateOnly(value)) {
      return millis >= startOfUtcDay(cutoff) ? 'pass' : 'fail';
    }
    return millis >= cutoff ? 'pass' : 'fail';
  };
  return {
    name: '$within',
    expectation: `a date within the last ${duration.words}`,
    canError: true,
    test: (value, scope) =>
      value === undefined ? 'fail' : read(value, scope.nowMs),
    reason(value, scope) {
      if (typeof value !== 'string') {
        return value === undefined ? undefined : 'which is not a date';
      }
      const millis = parseIsoInstant(value);
      if (Number.isNaN(millis)) {
        return 'which is not an ISO date (YYYY-MM-DD)';
      }
      if (millis > scope.nowMs + DAY_MS) {
        return 'which is in the future';
      }
      return ageInWords(millis, scope.nowMs, isDateOnly(value));
    },
  };
};

const ENTITY_DEFAULTS = { kind: 'group', namespace: 'default' };

const compileEntity: OperatorCompiler = (arg, where) => {
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
  const notWanted = `which is not ${wanted}`;
  return {
    name: '$entity',
    expectation: `${wanted} in the catalog`,
    canError: false,
    test(value, scope) {
      if (typeof value !== 'string') {
        return 'fail';
      }
      const ref = normalizeEntityRef(value, ENTITY_DEFAULTS);
      const target = ref === undefined ? undefined : scope.catalog.get(ref);
      return target !== undefined && filter.test(target) ? 'pass' : 'fail';
    },
    reason(value, scope) {
      if (value === undefined) {
        return undefined;
      }
      const ref =
        typeof value === 'string'
          ? normalizeEntityRef(value, ENTITY_DEFAULTS)
          : undefined;
      if (ref === undefined) {
        return 'which is not an entity reference';
      }
      const target = scope.catalog.get(ref);
      if (target === undefined) {
        return 'which is not in the catalog';
      }
      return filter.test(target) ? 'which exists' : notWanted;
    },
  };
};

function filterOperator(name: string): OperatorCompiler {
  return (arg, where) => {
    const part = compileFilterValueOperator(name, arg, where)!;
    const test = part.test;
    return {
      name,
      expectation: part.description,
      canError: false,
      exists: name === '$exists' ? (arg as boolean) : undefined,
      test: value => (test(value) ? 'pass' : 'fail'),
    };
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
const compileNotBlank: OperatorCompiler = (arg, where) => {
  if (typeof arg !== 'boolean') {
    syntaxError(
      `operator '$notBlank' ${located(
        where,
      )} expects true or false, got ${describeJsonType(arg)}`,
    );
  }
  return arg
    ? {
        name: '$notBlank',
        expectation: 'a value that is not blank',
        canError: false,
        exists: true,
        notBlank: true,
        test: value => (isBlank(value) ? 'fail' : 'pass'),
      }
    : {
        name: '$notBlank',
        expectation: 'no value, or a blank one',
        canError: false,
        test: value => (isBlank(value) ? 'pass' : 'fail'),
      };
};

/** Compiles equality with a constant, the library's default when a path maps to a value. */
export function compileEquality(constant: Primitive): CompiledOperator {
  return {
    name: '=',
    expectation: formatPrimitive(constant),
    canError: false,
    test: value => (equalsConstant(value, constant) ? 'pass' : 'fail'),
  };
}

/** Turns a module's problem text into a clause that follows the value. */
function problemClause(problem: string): string {
  return /^(is|has|does|was|contains|lacks)\b/.test(problem)
    ? `which ${problem}`
    : problem;
}

function adapt(operator: RuleOperator<unknown>): OperatorCompiler {
  return (arg, where) => {
    let prepared: unknown;
    try {
      prepared = operator.compile(arg as JsonValue);
    } catch (error) {
      syntaxError(
        `operator '${operator.name}' ${located(where)}: ${
          (error as Error)?.message ?? String(error)
        }`,
      );
    }
    const run = (value: unknown, scope: EvalScope): RuleOperatorOutcome => {
      try {
        return operator.evaluate(
          value as JsonValue | undefined,
          prepared,
          scope.now,
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
      expectation: operator.describe(prepared),
      canError: true,
      test(value, scope) {
        const result = run(value, scope)?.result;
        if (result === 'pass') {
          return 'pass';
        }
        // A missing value is never an error, whatever the operator says.
        return result === 'error' && value !== undefined ? 'error' : 'fail';
      },
      reason(value, scope) {
        const outcome = run(value, scope);
        return outcome?.result === 'error' && outcome.problem
          ? problemClause(outcome.problem)
          : undefined;
      },
    };
  };
}

/** The value operators every rule can use, by name. */
export const BUILTIN_OPERATORS: ReadonlyMap<string, OperatorCompiler> = new Map<
  string,
  OperatorCompiler
>([
  ['$exists', filterOperator('$exists')],
  ['$in', filterOperator('$in')],
  ['$hasPrefix', filterOperator('$hasPrefix')],
  ['$notBlank', compileNotBlank],
  ['$matches', compileMatches],
  ['$gt', numeric('$gt')],
  ['$gte', numeric('$gte')],
  ['$lt', numeric('$lt')],
  ['$lte', numeric('$lte')],
  ['$within', compileWithin],
  ['$entity', compileEntity],
]);

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
