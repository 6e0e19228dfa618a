import {
  FilterPredicate,
  evaluateFilterPredicate,
  filterPredicateToFilterFunction,
} from '@backstage/filter-predicates';
import {
  Primitive,
  checkPrimitive,
  describeJsonType,
  isPlainObject,
  isPrimitive,
  joinPath,
  located,
  syntaxError,
} from './grammar';
import {
  anyOf,
  formatPrimitive,
  joinAnd,
  subjectOf,
  withArticle,
} from './phrases';

/** The value operators of the `@backstage/filter-predicates` grammar. */
export const FILTER_VALUE_OPERATORS = [
  '$exists',
  '$in',
  '$contains',
  '$hasPrefix',
] as const;

/** A filter predicate, validated, with its test from `@backstage/filter-predicates`. */
export interface CompiledFilter {
  /** Whether the value matches. */
  test(value: unknown): boolean;
  /** The condition in words, e.g. `field spec.type is one of "service", "website"`. */
  readonly description: string;
  /** The top-level paths the predicate reads. */
  readonly paths: readonly string[];
}

/** A library value operator with its argument: a test of one value, and its words. */
export interface FilterValueOperator {
  test(value: unknown): boolean;
  description: string;
}

function primitivesOf(arg: unknown, operator: string, where: string) {
  if (!Array.isArray(arg) || !arg.every(isPrimitive)) {
    syntaxError(
      `operator '${operator}' ${located(
        where,
      )} expects a list of strings, numbers or booleans, got ${describeJsonType(
        arg,
      )}`,
    );
  }
  for (const item of arg as unknown[]) {
    if (typeof item === 'number' && !Number.isFinite(item)) {
      syntaxError(
        `operator '${operator}' ${located(where)} expects finite numbers`,
      );
    }
  }
  return arg as Primitive[];
}

/**
 * Runs a library test on data that may not be plain JSON: an object without a prototype cannot
 * be turned into text, so it matches nothing rather than throwing.
 */
function safely(test: (value: unknown) => boolean) {
  return (value: unknown) => {
    try {
      return test(value);
    } catch {
      return false;
    }
  };
}

/** Whether a value equals a constant, as the library compares them. */
export function equalsConstant(value: unknown, constant: Primitive): boolean {
  return safely(v => evaluateFilterPredicate(constant, v))(value);
}

/** Compiles a value operator of the library grammar; undefined for other operators. */
export function compileFilterValueOperator(
  operator: string,
  arg: unknown,
  where: string,
): FilterValueOperator | undefined {
  switch (operator) {
    case '$exists':
      if (typeof arg !== 'boolean') {
        syntaxError(
          `operator '$exists' ${located(
            where,
          )} expects true or false, got ${describeJsonType(arg)}`,
        );
      }
      return {
        test: value => (value !== undefined) === arg,
        description: arg ? 'set' : 'not set',
      };
    case '$in': {
      const values = primitivesOf(arg, '$in', where);
      return {
        test: value => values.some(c => equalsConstant(value, c)),
        description: values.length
          ? `one of ${values.map(formatPrimitive).join(', ')}`
          : 'one of an empty list (never true)',
      };
    }
    case '$hasPrefix': {
      if (typeof arg !== 'string') {
        syntaxError(
          `operator '$hasPrefix' ${located(
            where,
          )} expects a string, got ${describeJsonType(arg)}`,
        );
      }
      const predicate = { value: { $hasPrefix: arg } };
      return {
        test: value => evaluateFilterPredicate(predicate, { value }),
        description: `a value starting with ${formatPrimitive(arg)}`,
      };
    }
    default:
      return undefined;
  }
}

/**
 * Checks a predicate against the library grammar with messages that say what is wrong where,
 * and describes it in words.
 */
class FilterDescriber {
  readonly paths = new Set<string>();

  predicate(node: unknown, where: string, top: boolean): string {
    if (!isPlainObject(node)) {
      syntaxError(
        `${located(where)}: expected a predicate object, got ${describeJsonType(
          node,
        )}`,
      );
    }
    const keys = Object.keys(node);
    for (const logical of ['$all', '$any', '$not'] as const) {
      if (logical in node) {
        if (keys.length !== 1) {
          syntaxError(
            `operator '${logical}' ${located(
              where,
            )} must be the only key of its object; wrap the other conditions in $all`,
          );
        }
        return this.logical(logical, node[logical], where, top, false);
      }
    }
    const parts = keys.map(key => {
      if (key.startsWith('$')) {
        syntaxError(
          `unknown operator '${key}' ${located(
            where,
          )} (known here: $all, $any, $not; value operators go under a path: ${FILTER_VALUE_OPERATORS.join(
            ', ',
          )})`,
        );
      }
      return this.path(key, node[key], where, top);
    });
    return parts.length ? joinAnd(parts) : 'anything';
  }

  /** An operand of `$contains`: a predicate, or a primitive compared with each element. */
  anyPredicate(node: unknown, where: string): string {
    if (isPrimitive(node)) {
      return formatPrimitive(checkPrimitive(node, where));
    }
    if (isPlainObject(node)) {
      for (const logical of ['$all', '$any', '$not'] as const) {
        if (logical in node && Object.keys(node).length === 1) {
          return this.logical(logical, node[logical], where, false, true);
        }
      }
    }
    return this.predicate(node, where, false);
  }

  logical(
    operator: '$all' | '$any' | '$not',
    arg: unknown,
    where: string,
    top: boolean,
    anyPredicate: boolean,
  ): string {
    const child = (node: unknown, at: string) =>
      anyPredicate
        ? this.anyPredicate(node, at)
        : this.predicate(node, at, top);
    if (operator === '$not') {
      return `not (${child(arg, joinPath(where, '$not'))})`;
    }
    if (!Array.isArray(arg)) {
      syntaxError(
        `operator '${operator}' ${located(
          where,
        )} expects a list of predicates, got ${describeJsonType(arg)}`,
      );
    }
    const parts = arg.map((node, i) =>
      child(node, joinPath(where, `${operator}[${i}]`)),
    );
    if (operator === '$all') {
      return parts.length ? joinAnd(parts) : 'anything';
    }
    return parts.length ? anyOf(parts) : 'nothing (an empty $any)';
  }

  path(path: string, filter: unknown, where: string, top: boolean): string {
    const at = joinPath(where, path);
    if (top) {
      this.paths.add(path);
    }
    const subject = subjectOf(path, !top);
    if (!isPlainObject(filter)) {
      return `${subject} is ${formatPrimitive(checkPrimitive(filter, at))}`;
    }
    const operators = Object.keys(filter);
    if (operators.length !== 1) {
      syntaxError(
        operators.length === 0
          ? `${located(at)}: empty operator object`
          : `${located(at)}: combine several operators (${operators.join(
              ', ',
            )}) with $all`,
      );
    }
    const operator = operators[0];
    if (!operator.startsWith('$')) {
      syntaxError(
        `${located(
          at,
        )}: '${operator}' is not an operator; to match a nested field write the dotted path, e.g. '${path}.${operator}'`,
      );
    }
    const arg = filter[operator];
    if (operator === '$contains') {
      const element = this.anyPredicate(arg, `${at}[]`);
      return `${subject} contains ${withArticle(`item where ${element}`)}`;
    }
    const part = compileFilterValueOperator(operator, arg, at);
    if (!part) {
      syntaxError(
        `unknown operator '${operator}' ${located(
          at,
        )} (known: ${FILTER_VALUE_OPERATORS.join(', ')})`,
      );
    }
    return `${subject} is ${part.description}`;
  }
}

/**
 * Compiles a `@backstage/filter-predicates` predicate (as used by `appliesTo` and `$entity`):
 * the library evaluates it. Throws an InputError naming the operator and place when the
 * predicate is not valid in the library's grammar.
 */
export function compileFilter(predicate: unknown, where = ''): CompiledFilter {
  const describer = new FilterDescriber();
  const description = describer.predicate(predicate, where, true);
  return {
    test: safely(filterPredicateToFilterFunction(predicate as FilterPredicate)),
    description,
    paths: [...describer.paths],
  };
}
