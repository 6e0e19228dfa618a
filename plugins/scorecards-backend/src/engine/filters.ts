import {
  Primitive,
  checkPrimitive,
  describeJsonType,
  isPlainObject,
  isPrimitive,
  joinPath as join,
  located,
  syntaxError,
} from './grammar';
import {
  equalsMatcher,
  existsMatcher,
  hasPrefixMatcher,
  inMatcher,
} from './matchers';
import {
  anyOf,
  formatPrimitive,
  joinAnd,
  subjectOf,
  withArticle,
} from './phrases';
import { EntityView, PathLayout, PathReader, compilePath } from './paths';

/** The value operators of the `@backstage/filter-predicates` grammar. */
export const FILTER_VALUE_OPERATORS = [
  '$exists',
  '$in',
  '$contains',
  '$hasPrefix',
] as const;

/** A filter predicate compiled into a test with the library's semantics. */
export interface CompiledFilter {
  /** Whether the value matches; `view` is the entity's view, when the value is that entity. */
  test(value: unknown, view?: EntityView): boolean;
  /** The condition in words, e.g. `field spec.type is one of "service", "website"`. */
  readonly description: string;
  /** The top-level paths the predicate reads. */
  readonly paths: readonly string[];
}

interface FilterPart {
  test: (value: unknown, view?: EntityView) => boolean;
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

/** Compiles a value operator of the library grammar; undefined for other operators. */
export function compileFilterValueOperator(
  operator: string,
  arg: unknown,
  where: string,
): FilterPart | undefined {
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
        test: existsMatcher(arg),
        description: arg ? 'set' : 'not set',
      };
    case '$in': {
      const values = primitivesOf(arg, '$in', where);
      return {
        test: inMatcher(values),
        description: values.length
          ? `one of ${values.map(formatPrimitive).join(', ')}`
          : 'one of an empty list (never true)',
      };
    }
    case '$hasPrefix':
      if (typeof arg !== 'string') {
        syntaxError(
          `operator '$hasPrefix' ${located(
            where,
          )} expects a string, got ${describeJsonType(arg)}`,
        );
      }
      return {
        test: hasPrefixMatcher(arg),
        description: `a value starting with ${formatPrimitive(arg)}`,
      };
    default:
      return undefined;
  }
}

class FilterCompiler {
  readonly paths = new Set<string>();

  constructor(readonly layout: PathLayout) {}

  predicate(node: unknown, where: string, top: boolean): FilterPart {
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
    const parts: FilterPart[] = [];
    for (const key of keys) {
      if (key.startsWith('$')) {
        syntaxError(
          `unknown operator '${key}' ${located(
            where,
          )} (known here: $all, $any, $not; value operators go under a path: ${FILTER_VALUE_OPERATORS.join(
            ', ',
          )})`,
        );
      }
      parts.push(this.path(key, node[key], where, top));
    }
    if (parts.length === 0) {
      return { test: () => true, description: 'anything' };
    }
    if (parts.length === 1) {
      return parts[0];
    }
    const tests = parts.map(p => p.test);
    return {
      test: (value, view) => {
        for (let i = 0; i < tests.length; i++) {
          if (!tests[i](value, view)) {
            return false;
          }
        }
        return true;
      },
      description: joinAnd(parts.map(p => p.description)),
    };
  }

  /** An operand of `$contains`: a predicate, or a primitive compared with each element. */
  anyPredicate(node: unknown, where: string): FilterPart {
    if (isPrimitive(node)) {
      const constant = checkPrimitive(node, where);
      const matches = equalsMatcher(constant);
      return {
        test: value => matches(value),
        description: formatPrimitive(constant),
      };
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
  ): FilterPart {
    const child = (node: unknown, at: string) =>
      anyPredicate
        ? this.anyPredicate(node, at)
        : this.predicate(node, at, top);
    if (operator === '$not') {
      const inner = child(arg, join(where, '$not'));
      return {
        test: (value, view) => !inner.test(value, view),
        description: `not (${inner.description})`,
      };
    }
    if (!Array.isArray(arg)) {
      syntaxError(
        `operator '${operator}' ${located(
          where,
        )} expects a list of predicates, got ${describeJsonType(arg)}`,
      );
    }
    const parts = arg.map((node, i) =>
      child(node, join(where, `${operator}[${i}]`)),
    );
    const tests = parts.map(p => p.test);
    if (operator === '$all') {
      return {
        test: (value, view) => {
          for (let i = 0; i < tests.length; i++) {
            if (!tests[i](value, view)) {
              return false;
            }
          }
          return true;
        },
        description: parts.length
          ? joinAnd(parts.map(p => p.description))
          : 'anything',
      };
    }
    return {
      test: (value, view) => {
        for (let i = 0; i < tests.length; i++) {
          if (tests[i](value, view)) {
            return true;
          }
        }
        return false;
      },
      description: parts.length
        ? anyOf(parts.map(p => p.description))
        : 'nothing (an empty $any)',
    };
  }

  path(path: string, filter: unknown, where: string, top: boolean): FilterPart {
    const at = join(where, path);
    if (top) {
      this.paths.add(path);
    }
    // Element values are not entities, so only top-level paths read through the layout.
    const readPath: PathReader = top
      ? this.layout.compile(path)
      : compilePath(path);
    const read = (value: unknown, view?: EntityView) => readPath(value, view);
    const subject = subjectOf(path, !top);
    if (!isPlainObject(filter)) {
      const constant = checkPrimitive(filter, at);
      const matches = equalsMatcher(constant);
      return {
        test: (value, view) => matches(read(value, view)),
        description: `${subject} is ${formatPrimitive(constant)}`,
      };
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
      const elementTest = element.test;
      return {
        test: (value, view) => {
          const list = read(value, view);
          if (!Array.isArray(list)) {
            return false;
          }
          for (let i = 0; i < list.length; i++) {
            if (elementTest(list[i])) {
              return true;
            }
          }
          return false;
        },
        description: `${subject} contains ${withArticle(
          `item where ${element.description}`,
        )}`,
      };
    }
    const part = compileFilterValueOperator(operator, arg, at);
    if (!part) {
      syntaxError(
        `unknown operator '${operator}' ${located(
          at,
        )} (known: ${FILTER_VALUE_OPERATORS.join(', ')})`,
      );
    }
    const matches = part.test;
    return {
      test: (value, view) => matches(read(value, view)),
      description: `${subject} is ${part.description}`,
    };
  }
}

/**
 * Compiles a `@backstage/filter-predicates` predicate (as used by `appliesTo` and `$entity`) into
 * a test with the library's exact semantics. Throws an InputError naming the operator and place
 * when the predicate is not valid in the library's grammar.
 */
export function compileFilter(
  predicate: unknown,
  where = '',
  layout: PathLayout = new PathLayout(),
): CompiledFilter {
  const compiler = new FilterCompiler(layout);
  const part = compiler.predicate(predicate, where, true);
  return {
    test: part.test,
    description: part.description,
    paths: [...compiler.paths],
  };
}
