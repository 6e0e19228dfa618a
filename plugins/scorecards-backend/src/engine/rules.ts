import { getJsonValueAtPath } from '@backstage/filter-predicates';
import type { JsonValue } from '@guardrails/plugin-scorecards-common';
import {
  checkPrimitive,
  describeJsonType,
  isPlainObject,
  isPrimitive,
  joinPath,
  located,
  syntaxError,
} from './grammar';
import { NUMERIC_WORDS, OperatorRegistry, compileEquality } from './operators';
import {
  anyOf,
  capitalize,
  formatPrimitive,
  joinAnd,
  relationVerb,
  subjectOf,
  withArticle,
} from './phrases';
import type {
  CompiledOperator,
  ContainsInfo,
  EvalScope,
  GroupInfo,
  LeafInfo,
  NodeInfo,
  NumericOperator,
  Outcome,
  Verdict,
} from './verdict';

/** Reads the value a leaf tests: from the entity (or element), or from the facts. */
type ValueReader = (root: unknown, scope: EvalScope) => unknown;

const readSelf: ValueReader = root => root;

/** A compiled rule node: one evaluation, one verdict. */
interface RuleNode {
  readonly info: NodeInfo;
  evaluate(root: unknown, scope: EvalScope): Verdict;
  /**
   * For several paths in one object: whether the first holds. Inside `$contains`, an element
   * that fails but matches its first key (`type: ownedBy`) is the one worth explaining.
   */
  matchesFirstKey?(root: unknown, scope: EvalScope): boolean;
}

/** A compiled rule. */
export interface CompiledRule {
  evaluate(entity: unknown, scope: EvalScope): Verdict;
  readonly requirement: string;
  /** The entity paths the rule reads (facts and element paths excluded). */
  readonly paths: readonly string[];
}

const LOGICAL = ['$all', '$any', '$not'] as const;

/** Operators that must be alone in their object, because they read a list of elements. */
const LIST_OPERATORS = ['$contains', '$link'];

/**
 * Values as rules compare them: text without surrounding whitespace, so that `' 1 '` is the tier
 * `1` and `'  '` is blank.
 */
function trimmed(value: unknown): unknown {
  return typeof value === 'string' ? value.trim() : value;
}

/**
 * A word of a link's title that names a link type (letters, digits, `_` and `-`), singular or
 * plural: `Runbooks` and `Ops runbook` name `runbook`, `Runbookish` does not.
 */
function titleWord(type: string): RegExp {
  const stem = type.replace(/s$/, '');
  return new RegExp(
    `(?:^|[^\\p{L}\\p{N}])${stem}s?(?:$|[^\\p{L}\\p{N}])`,
    'iu',
  );
}

/** The limit of a numeric comparison, so that `{ $gt: 0, $lte: 100 }` reads as one range. */
function boundOf(
  op: CompiledOperator,
): { operator: NumericOperator; limit: number } | undefined {
  return op.name in NUMERIC_WORDS
    ? { operator: op.name as NumericOperator, limit: op.argument as number }
    : undefined;
}

/**
 * For `$exists` and `$notBlank: true` (which counts as `$exists: true`), so that explanations
 * can say "is not set" rather than repeat the expectation.
 */
function existsOf(op: CompiledOperator): boolean | undefined {
  if (op.name === '$exists') {
    return op.argument as boolean;
  }
  return op.name === '$notBlank' && op.argument === true ? true : undefined;
}

function combineExpectations(ops: readonly CompiledOperator[]): string {
  if (ops.length === 1) {
    return ops[0].expectation;
  }
  const lower = ops.find(o => ['$gt', '$gte'].includes(o.name));
  const upper = ops.find(o => ['$lt', '$lte'].includes(o.name));
  if (!lower || !upper) {
    return joinAnd(ops.map(o => o.expectation));
  }
  const lo = boundOf(lower)!;
  const hi = boundOf(upper)!;
  const range =
    lo.operator === '$gte' && hi.operator === '$lte'
      ? `a number between ${lo.limit} and ${hi.limit}`
      : `a number ${NUMERIC_WORDS[lo.operator]} ${lo.limit} and ${
          NUMERIC_WORDS[hi.operator]
        } ${hi.limit}`;
  return joinAnd([
    range,
    ...ops.filter(o => o !== lower && o !== upper).map(o => o.expectation),
  ]);
}

function isAnnotationExistsLeaf(info: NodeInfo): info is LeafInfo {
  return (
    info.kind === 'leaf' &&
    info.exists === true &&
    !info.inElement &&
    info.path.startsWith('metadata.annotations.')
  );
}

function anyRequirement(children: readonly NodeInfo[]): string {
  if (children.length > 1 && children.every(isAnnotationExistsLeaf)) {
    const leaves = children as LeafInfo[];
    const notBlank = leaves.every(c => c.notBlank);
    return `one of the annotations ${leaves
      .map(c => c.path.slice('metadata.annotations.'.length))
      .join(', ')} is set${notBlank ? ' and not blank' : ''}`;
  }
  return anyOf(children.map(c => c.requirement));
}

/**
 * Which operator of a leaf decides: the first that errors on a present value, else the first
 * that fails (a missing value is never an error: an absent annotation fails, it is not
 * invalid); -1 when all pass.
 */
function decide(
  ops: readonly CompiledOperator[],
  value: unknown,
  scope: EvalScope,
): { outcome: Outcome; op: number; reason: string | undefined } {
  let failed: { op: number; reason: string | undefined } | undefined;
  let passReason: string | undefined;
  for (let i = 0; i < ops.length; i++) {
    const { outcome, reason } = ops[i].test(value, scope);
    if (outcome === 'error' && value !== undefined) {
      return { outcome, op: i, reason };
    }
    if (outcome === 'pass') {
      passReason ||= reason;
    } else if (!failed) {
      failed = { op: i, reason };
      if (value === undefined) {
        break;
      }
    }
  }
  return failed
    ? { outcome: 'fail', ...failed }
    : { outcome: 'pass', op: -1, reason: passReason || undefined };
}

const EMPTY_NODE: RuleNode = {
  info: { kind: 'empty', requirement: 'anything' },
  evaluate() {
    return { type: 'empty', outcome: 'pass', node: EMPTY_NODE.info } as Verdict;
  },
};

class RuleCompiler {
  readonly paths = new Set<string>();

  constructor(private readonly registry: OperatorRegistry) {}

  predicate(node: unknown, where: string, inElement: boolean): RuleNode {
    if (!isPlainObject(node)) {
      syntaxError(
        `${located(where)}: expected a predicate object, got ${describeJsonType(
          node,
        )}`,
      );
    }
    const keys = Object.keys(node);
    for (const logical of LOGICAL) {
      if (logical in node) {
        if (keys.length !== 1) {
          syntaxError(
            `operator '${logical}' ${located(
              where,
            )} must be the only key of its object; wrap the other conditions in $all`,
          );
        }
        return this.logical(logical, node[logical], where, inElement, false);
      }
    }
    const children = keys.map(key => {
      if (key.startsWith('$')) {
        syntaxError(
          `unknown operator '${key}' ${located(
            where,
          )} (known here: $all, $any, $not; value operators go under a path: ${this.registry.names.join(
            ', ',
          )})`,
        );
      }
      return this.path(key, node[key], where, inElement);
    });
    if (children.length === 0) {
      return EMPTY_NODE;
    }
    return children.length === 1 ? children[0] : this.all(children, true);
  }

  /** An element predicate of `$contains`: a predicate, or a primitive compared with the element. */
  anyPredicate(node: unknown, where: string): RuleNode {
    if (isPrimitive(node)) {
      return this.leaf('', true, readSelf, [
        compileEquality(checkPrimitive(node, where)),
      ]);
    }
    if (isPlainObject(node)) {
      const logical = LOGICAL.find(l => l in node);
      if (logical && Object.keys(node).length === 1) {
        return this.logical(logical, node[logical], where, true, true);
      }
    }
    return this.predicate(node, where, true);
  }

  logical(
    operator: '$all' | '$any' | '$not',
    arg: unknown,
    where: string,
    inElement: boolean,
    anyPredicate: boolean,
  ): RuleNode {
    const child = (node: unknown, at: string) =>
      anyPredicate
        ? this.anyPredicate(node, at)
        : this.predicate(node, at, inElement);
    if (operator === '$not') {
      return this.not(child(arg, joinPath(where, '$not')));
    }
    if (!Array.isArray(arg)) {
      syntaxError(
        `operator '${operator}' ${located(
          where,
        )} expects a list of predicates, got ${describeJsonType(arg)}`,
      );
    }
    const children = arg.map((node, i) =>
      child(node, joinPath(where, `${operator}[${i}]`)),
    );
    return operator === '$all' ? this.all(children, false) : this.any(children);
  }

  path(
    path: string,
    filter: unknown,
    where: string,
    inElement: boolean,
  ): RuleNode {
    const at = joinPath(where, path);
    const fact = !inElement && (path === 'facts' || path.startsWith('facts.'));
    if (!inElement && !fact) {
      this.paths.add(path);
    }
    let read: ValueReader;
    if (path === 'facts' && fact) {
      read = (_root, scope) => scope.facts;
    } else if (fact) {
      const factPath = path.slice('facts.'.length);
      read = (_root, scope) => getJsonValueAtPath(scope.facts, factPath);
    } else {
      read = root => getJsonValueAtPath(root as JsonValue, path);
    }
    if (!isPlainObject(filter)) {
      return this.leaf(path, inElement, read, [
        compileEquality(checkPrimitive(filter, at)),
      ]);
    }
    const operators = Object.keys(filter);
    if (operators.length === 0) {
      syntaxError(`${located(at)}: empty operator object`);
    }
    const ops: CompiledOperator[] = [];
    for (const operator of operators) {
      if (!operator.startsWith('$')) {
        syntaxError(
          `${located(
            at,
          )}: '${operator}' is not an operator; to match a nested field write the dotted path, e.g. '${path}.${operator}'`,
        );
      }
      if ((LOGICAL as readonly string[]).includes(operator)) {
        syntaxError(
          `operator '${operator}' ${located(
            at,
          )} combines whole conditions: write { ${operator}: [{ '${path}': … }, …] } instead`,
        );
      }
      if (LIST_OPERATORS.includes(operator)) {
        if (operators.length !== 1) {
          syntaxError(
            `operator '${operator}' ${located(
              at,
            )} cannot share its object with other operators; combine them with $all`,
          );
        }
        const { element, described } =
          operator === '$link'
            ? this.linkElement(filter.$link, at)
            : this.containsElement(path, filter.$contains, at);
        return this.list(path, element, described, inElement, read);
      }
      const compile = this.registry.compilers.get(operator);
      if (!compile) {
        syntaxError(
          `unknown operator '${operator}' ${located(
            at,
          )} (known: ${this.registry.names.join(', ')})`,
        );
      }
      ops.push(compile(filter[operator], at));
    }
    return this.leaf(path, inElement, read, ops);
  }

  leaf(
    path: string,
    inElement: boolean,
    read: ValueReader,
    ops: CompiledOperator[],
  ): RuleNode {
    const fact = !inElement && (path === 'facts' || path.startsWith('facts.'));
    const subject = subjectOf(path, inElement);
    const expectation = combineExpectations(ops);
    const info: LeafInfo = {
      kind: 'leaf',
      path,
      subject,
      Subject: capitalize(subject),
      ops,
      expectation,
      requirement: `${subject} is ${expectation}`,
      exists: ops.length === 1 ? existsOf(ops[0]) : undefined,
      notBlank:
        ops.length === 1 &&
        ops[0].name === '$notBlank' &&
        ops[0].argument === true,
      inElement,
    };
    const factNames = fact ? factNameCandidates(path.slice(6)) : [];
    const staleFact = (scope: EvalScope) => {
      const stale = scope.staleFacts;
      const name = stale && factNames.find(n => Object.hasOwn(stale, n));
      return name ? stale[name] : undefined;
    };
    return {
      info,
      evaluate(root, scope) {
        const value = trimmed(read(root, scope));
        const { outcome, op, reason } = decide(ops, value, scope);
        const stale =
          value === undefined && fact ? staleFact(scope) : undefined;
        return { type: 'leaf', outcome, node: info, value, op, reason, stale };
      },
    };
  }

  /** The element predicate of `<path>: { $contains: <predicate> }`, and its words. */
  containsElement(path: string, arg: unknown, at: string) {
    const element = this.anyPredicate(arg, `${at}[]`);
    return { element, described: describeElement(path, arg, element.info) };
  }

  /**
   * The element test of `<path>: { $link: <type> }`: a link of that type, or, without a type, one
   * whose icon is the type or whose title names it (the catalog's own style: `title: Dashboard`,
   * `icon: dashboard`). A link without a url does not count.
   */
  linkElement(arg: unknown, at: string) {
    if (typeof arg !== 'string' || !/^[a-z0-9][a-z0-9_-]*$/i.test(arg)) {
      syntaxError(
        `operator '$link' ${located(
          at,
        )} expects a link type such as 'runbook', got ${describeJsonType(arg)}`,
      );
    }
    const type = arg.toLowerCase();
    const word = titleWord(type);
    const text = (value: unknown) =>
      typeof value === 'string' ? value.trim() : '';
    const isLink = (item: unknown): boolean => {
      if (!isPlainObject(item) || !text(item.url)) {
        return false;
      }
      const declared = text(item.type);
      if (declared) {
        return declared.toLowerCase() === type;
      }
      return (
        text(item.icon).toLowerCase() === type || word.test(text(item.title))
      );
    };
    const element = this.leaf('', true, readSelf, [
      {
        name: '$link',
        argument: type,
        expectation: `a ${type} link`,
        test: item => ({ outcome: isLink(item) ? 'pass' : 'fail' }),
      },
    ]);
    const noun = `${type} link`;
    const described: ElementDescription = {
      noun,
      baseNoun: noun,
      relationType: undefined,
      absent: `no link of type ${type}, nor one without a type whose icon or title names ${withArticle(
        type,
      )}`,
    };
    return { element, described };
  }

  /**
   * A node that passes when an element of the list at `path` passes `element`. When none does,
   * the verdict explains the first element in error, else the first that matches the element
   * predicate's first key.
   */
  list(
    path: string,
    element: RuleNode,
    described: ElementDescription,
    inElement: boolean,
    read: ValueReader,
  ): RuleNode {
    const subject = subjectOf(path, inElement);
    const { noun, baseNoun, relationType, absent } = described;
    const verb = relationType ? relationVerb(relationType) : '';
    const info: ContainsInfo = {
      kind: 'contains',
      path,
      subject,
      noun,
      baseNoun,
      relationType,
      relationVerb: verb,
      RelationVerb: capitalize(verb),
      requirement: `there is ${withArticle(noun)}`,
      absent,
    };
    return {
      info,
      evaluate(root, scope) {
        const list = read(root, scope);
        let error: Verdict | undefined;
        let errorItem: unknown;
        let partial: Verdict | undefined;
        let partialItem: unknown;
        for (const item of Array.isArray(list) ? list : []) {
          const inner = element.evaluate(item, scope);
          if (inner.outcome === 'pass') {
            return {
              type: 'contains',
              outcome: 'pass',
              node: info,
              value: item,
              inner,
            };
          }
          if (inner.outcome === 'error') {
            if (!error) {
              error = inner;
              errorItem = item;
            }
          } else if (!partial && element.matchesFirstKey?.(item, scope)) {
            partial = inner;
            partialItem = item;
          }
        }
        if (error) {
          return {
            type: 'contains',
            outcome: 'error',
            node: info,
            value: errorItem,
            inner: error,
          };
        }
        return {
          type: 'contains',
          outcome: 'fail',
          node: info,
          value: partialItem,
          inner: partial,
        };
      },
    };
  }

  /**
   * Every child must pass. The verdict of a failure is the first child that errors, else the
   * first that fails.
   */
  all(children: RuleNode[], implicit: boolean): RuleNode {
    const info: GroupInfo = {
      kind: 'all',
      children: children.map(c => c.info),
      requirement: children.length
        ? joinAnd(children.map(c => c.info.requirement))
        : 'anything',
    };
    return {
      info,
      evaluate(root, scope) {
        const verdicts: Verdict[] = [];
        let failed: Verdict | undefined;
        for (const child of children) {
          const verdict = child.evaluate(root, scope);
          if (verdict.outcome === 'error') {
            return verdict;
          }
          failed ??= verdict.outcome === 'fail' ? verdict : undefined;
          verdicts.push(verdict);
        }
        return (
          failed ?? {
            type: 'all',
            outcome: 'pass',
            node: info,
            children: verdicts,
          }
        );
      },
      matchesFirstKey:
        implicit && children.length > 0
          ? (root, scope) =>
              children[0].evaluate(root, scope).outcome === 'pass'
          : undefined,
    };
  }

  /**
   * One child must pass. The verdict of a failure is the first child that errors, else every
   * child's verdict.
   */
  any(children: RuleNode[]): RuleNode {
    const info: GroupInfo = {
      kind: 'any',
      children: children.map(c => c.info),
      requirement: children.length
        ? anyRequirement(children.map(c => c.info))
        : 'nothing (an empty $any)',
    };
    return {
      info,
      evaluate(root, scope) {
        const verdicts: Verdict[] = [];
        for (const child of children) {
          const verdict = child.evaluate(root, scope);
          if (verdict.outcome === 'pass') {
            return verdict;
          }
          verdicts.push(verdict);
        }
        return (
          verdicts.find(v => v.outcome === 'error') ?? {
            type: 'none',
            outcome: 'fail',
            node: info,
            children: verdicts,
          }
        );
      },
    };
  }

  not(child: RuleNode): RuleNode {
    const info: NodeInfo = {
      kind: 'not',
      child: child.info,
      requirement: `not (${child.info.requirement})`,
    };
    const swapped: Record<Outcome, Outcome> = {
      pass: 'fail',
      fail: 'pass',
      error: 'error',
    };
    return {
      info,
      evaluate(root, scope) {
        const inner = child.evaluate(root, scope);
        return {
          type: 'not',
          outcome: swapped[inner.outcome],
          node: info,
          inner,
        };
      },
    };
  }
}

/** Fact names a path under `facts.` may start with (names may contain dots). */
function factNameCandidates(rest: string): string[] {
  const names: string[] = [];
  for (
    let dot = rest.indexOf('.');
    dot !== -1;
    dot = rest.indexOf('.', dot + 1)
  ) {
    names.push(rest.slice(0, dot));
  }
  names.push(rest);
  return names;
}

const COLLECTION_NOUNS: Record<string, string> = {
  'metadata.links': 'link',
  relations: 'relation',
  'metadata.tags': 'tag',
  'spec.dependsOn': 'dependency',
};

/** What the elements a list node looks for are, in words. */
type ElementDescription = Pick<
  ContainsInfo,
  'noun' | 'baseNoun' | 'relationType' | 'absent'
>;

function describeElement(
  path: string,
  arg: unknown,
  element: NodeInfo,
): ElementDescription {
  const noun = COLLECTION_NOUNS[path] ?? `item of ${subjectOf(path, false)}`;
  if (isPrimitive(arg)) {
    const text = `${noun} ${formatPrimitive(arg)}`;
    return { noun: text, baseNoun: text, relationType: undefined };
  }
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    const first = keys[0];
    const type = arg.type;
    if (first === 'type' && typeof type === 'string') {
      const base =
        path === 'relations' ? `${type} relation` : `${noun} of type ${type}`;
      const rest =
        element.kind === 'all'
          ? element.children
              .slice(1)
              .map(c =>
                c.kind === 'leaf'
                  ? `${c.path} is ${c.expectation}`
                  : c.requirement,
              )
          : [];
      return {
        noun: rest.length ? `${base} whose ${joinAnd(rest)}` : base,
        baseNoun: base,
        relationType: path === 'relations' ? type : undefined,
      };
    }
  }
  return {
    noun: `${noun} where ${element.requirement}`,
    baseNoun: noun,
    relationType: undefined,
  };
}

/**
 * Compiles a rule (the `@backstage/filter-predicates` grammar plus the value operators of the
 * registry) into a closure tree. Throws an InputError that names the operator and the path when
 * the rule is invalid; callers add which check and field.
 */
export function compileRule(
  rule: unknown,
  registry: OperatorRegistry = new OperatorRegistry(),
): CompiledRule {
  if (isPlainObject(rule) && Object.keys(rule).length === 0) {
    syntaxError('the rule is empty, so it would always pass');
  }
  const compiler = new RuleCompiler(registry);
  const root = compiler.predicate(rule, '', false);
  return {
    evaluate: root.evaluate,
    requirement: root.info.requirement,
    paths: [...compiler.paths],
  };
}
