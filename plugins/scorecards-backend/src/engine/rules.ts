import { Fact } from '@guardrails/plugin-scorecards-common';
import {
  checkPrimitive,
  describeJsonType,
  isPlainObject,
  isPrimitive,
  joinPath as join,
  located,
  syntaxError,
} from './grammar';
import {
  CompiledOperator,
  NUMERIC_WORDS,
  OperatorRegistry,
  compileEquality,
} from './operators';
import { ERROR, EvalScope, FAIL, Outcome, PASS } from './outcome';
import { PathLayout, compilePath } from './paths';
import {
  anyOf,
  capitalize,
  formatPrimitive,
  joinAnd,
  relationVerb,
  subjectOf,
  withArticle,
} from './phrases';

/** Reads the value a leaf tests: from the entity (or element), or from the facts. */
type ValueReader = (root: unknown, scope: EvalScope) => unknown;

const readSelf: ValueReader = root => root;

/** A path and the value operators applied to it: the leaves of a rule. */
export interface LeafInfo {
  readonly kind: 'leaf';
  /** The path as written, relative to the entity, or to the element inside `$contains`. */
  readonly path: string;
  /** The path in words, e.g. `annotation guardrails.dev/slo-target`, `its type`. */
  readonly subject: string;
  /** `subject`, capitalised, to start a sentence. */
  readonly Subject: string;
  readonly ops: readonly CompiledOperator[];
  /** What the operators expect, in words, e.g. `a number greater than 0 and at most 100`. */
  readonly expectation: string;
  readonly requirement: string;
  /** The only operator is `$exists` (or `$notBlank: true`, which counts as `$exists: true`). */
  readonly exists: boolean | undefined;
  /** The only operator is `$notBlank: true`. */
  readonly notBlank: boolean;
  readonly inElement: boolean;
  readonly fact: boolean;
  sentences?: string[];
  /** Pieces of its sentences, built on first use. */
  fragments?: {
    readonly is: string;
    readonly isCap: string;
    readonly expectedEnd: string;
    readonly reasonExpectedEnd: string;
  };
}

/** `$all`, `$any`, or several paths in one object (an implicit `$all`). */
export interface GroupInfo {
  readonly kind: 'all' | 'any';
  readonly children: readonly NodeInfo[];
  readonly requirement: string;
  sentences?: string[];
}

/** `<path>: { $contains: <element predicate> }`. */
export interface ContainsInfo {
  readonly kind: 'contains';
  readonly path: string;
  readonly subject: string;
  /** What a matching element is, without article, e.g. `link of type runbook`. */
  readonly noun: string;
  /** What an element that matches the first key is, e.g. `ownedBy relation`. */
  readonly baseNoun: string;
  /** The relation type, for `relations` with `type: <x>` as first key. */
  readonly relationType: string | undefined;
  /** The relation type in words, e.g. `owned by`, and capitalised. */
  readonly relationVerb: string;
  readonly RelationVerb: string;
  readonly requirement: string;
  /** What no matching element means, said after "there is no <noun>", e.g. for `$link`. */
  readonly absent?: string;
  sentences?: string[];
  /** Pieces of its sentences, built on first use. */
  fragments?: {
    readonly relation: string;
    readonly Relation: string;
    readonly thereIs: string;
    readonly ThereIs: string;
  };
}

/** `$not`. */
export interface NotInfo {
  readonly kind: 'not';
  readonly child: NodeInfo;
  readonly requirement: string;
  sentences?: string[];
}

/** An empty object: always passes. */
export interface EmptyInfo {
  readonly kind: 'empty';
  readonly requirement: string;
  sentences?: string[];
}

/** What the explanation of a verdict needs to know about the node that produced it. */
export type NodeInfo =
  | LeafInfo
  | GroupInfo
  | ContainsInfo
  | NotInfo
  | EmptyInfo;

/** How a verdict was reached, for the explanation. */
export type VerdictType =
  | 'leaf'
  | 'all'
  | 'none'
  | 'contains'
  | 'not'
  | 'empty';

/**
 * The result of a rule node with the data to explain it. One class (one object shape) keeps the
 * hot path monomorphic.
 *
 * Each node reuses one verdict object (a rule's evaluation visits each node at most once), so a
 * verdict is valid only until its rule is evaluated again: read it right away, never keep it.
 */
export class Verdict {
  constructor(
    public type: VerdictType,
    public outcome: Outcome,
    public node: NodeInfo,
    /** Leaf: the value read. Contains: the matching or closest element. */
    public value: unknown,
    /** Leaf: index of the operator that decided a fail or error, or -1. */
    public op: number,
    /** Contains: the element's verdict. Not: the negated verdict. */
    public inner: Verdict | undefined,
    /** All (pass): every child's verdict. None (fail of `$any`): every child's verdict. */
    public children: Verdict[] | undefined,
    /** Leaf on a fact that exists but is stale. */
    public stale: Fact | undefined,
  ) {}
}

/** A verdict a node fills in on each evaluation. */
function scratch(type: VerdictType, node: NodeInfo): Verdict {
  return new Verdict(
    type,
    PASS,
    node,
    undefined,
    -1,
    undefined,
    undefined,
    undefined,
  );
}

/**
 * A compiled rule node. `test` decides without allocating; `evaluate` also returns what the
 * explanation needs, and is only called along the path that decides the result.
 */
export interface RuleNode {
  readonly info: NodeInfo;
  /** Whether any leaf below can yield ERROR. */
  readonly canError: boolean;
  test(root: unknown, scope: EvalScope): Outcome;
  evaluate(root: unknown, scope: EvalScope): Verdict;
  /**
   * For several paths in one object: whether the first holds. Inside `$contains`, an element
   * that fails but matches its first key (`type: ownedBy`) is the one worth explaining.
   */
  matchesFirstKey?(root: unknown, scope: EvalScope): boolean;
}

/** A compiled rule. */
export interface CompiledRule {
  test(entity: unknown, scope: EvalScope): Outcome;
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
 * `1` and `'  '` is blank. V8 returns the same string when there is nothing to trim.
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

function combineExpectations(ops: readonly CompiledOperator[]): string {
  if (ops.length === 1) {
    return ops[0].expectation;
  }
  const lower = ops.find(
    o => o.bound?.operator === '$gt' || o.bound?.operator === '$gte',
  );
  const upper = ops.find(
    o => o.bound?.operator === '$lt' || o.bound?.operator === '$lte',
  );
  if (!lower || !upper) {
    return joinAnd(ops.map(o => o.expectation));
  }
  const lo = lower.bound!;
  const hi = upper.bound!;
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
    const notBlank = children.every(c => (c as LeafInfo).notBlank);
    return `one of the annotations ${children
      .map(c => (c as LeafInfo).path.slice('metadata.annotations.'.length))
      .join(', ')} is set${notBlank ? ' and not blank' : ''}`;
  }
  return anyOf(children.map(c => c.requirement));
}

const EMPTY_INFO: EmptyInfo = { kind: 'empty', requirement: 'anything' };
const EMPTY_VERDICT = new Verdict(
  'empty',
  PASS,
  EMPTY_INFO,
  undefined,
  -1,
  undefined,
  undefined,
  undefined,
);
const EMPTY_NODE: RuleNode = {
  info: EMPTY_INFO,
  canError: false,
  test: () => PASS,
  evaluate: () => EMPTY_VERDICT,
};

class RuleCompiler {
  readonly paths = new Set<string>();

  constructor(
    private readonly registry: OperatorRegistry,
    private readonly layout: PathLayout,
  ) {}

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
    const children: RuleNode[] = [];
    keys.forEach(key => {
      if (key.startsWith('$')) {
        syntaxError(
          `unknown operator '${key}' ${located(
            where,
          )} (known here: $all, $any, $not; value operators go under a path: ${this.registry.names.join(
            ', ',
          )})`,
        );
      }
      children.push(this.path(key, node[key], where, inElement));
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
      const keys = Object.keys(node);
      const logical = LOGICAL.find(l => l in node);
      if (logical && keys.length === 1) {
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
      return this.not(child(arg, join(where, '$not')));
    }
    if (!Array.isArray(arg)) {
      syntaxError(
        `operator '${operator}' ${located(
          where,
        )} expects a list of predicates, got ${describeJsonType(arg)}`,
      );
    }
    const children = arg.map((node, i) =>
      child(node, join(where, `${operator}[${i}]`)),
    );
    return operator === '$all' ? this.all(children, false) : this.any(children);
  }

  path(
    path: string,
    filter: unknown,
    where: string,
    inElement: boolean,
  ): RuleNode {
    const at = join(where, path);
    const fact = !inElement && (path === 'facts' || path.startsWith('facts.'));
    if (!inElement && !fact) {
      this.paths.add(path);
    }
    let read: ValueReader;
    if (path === 'facts' && fact) {
      read = (_root, scope) => scope.facts;
    } else if (fact) {
      const readFact = compilePath(path.slice('facts.'.length));
      read = (_root, scope) => readFact(scope.facts, undefined);
    } else if (inElement) {
      const readPath = compilePath(path);
      read = root => readPath(root, undefined);
    } else {
      const readPath = this.layout.compile(path);
      read = (root, scope) => readPath(root, scope.view);
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
    readRaw: ValueReader,
    ops: CompiledOperator[],
  ): RuleNode {
    const read: ValueReader = (root, scope) => trimmed(readRaw(root, scope));
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
      exists: ops.length === 1 ? ops[0].exists : undefined,
      notBlank: ops.length === 1 && ops[0].notBlank === true,
      inElement,
      fact,
    };
    const canError = ops.some(o => o.canError);
    const factNames = fact ? factNameCandidates(path.slice(6)) : [];
    const staleOf = (scope: EvalScope): Fact | undefined => {
      const stale = scope.staleFacts;
      if (!stale) {
        return undefined;
      }
      for (const name of factNames) {
        if (Object.prototype.hasOwnProperty.call(stale, name)) {
          return stale[name];
        }
      }
      return undefined;
    };
    // Verdicts on a missing value are the same every time; most entities miss most annotations.
    const missing: Verdict[] = [];
    const reused = scratch('leaf', info);
    const verdict = (
      value: unknown,
      outcome: Outcome,
      op: number,
      scope: EvalScope,
    ): Verdict => {
      if (value === undefined) {
        const stale = fact ? staleOf(scope) : undefined;
        if (stale) {
          return new Verdict(
            'leaf',
            outcome,
            info,
            value,
            op,
            undefined,
            undefined,
            stale,
          );
        }
        const key = outcome * 16 + op + 1;
        return (missing[key] ??= new Verdict(
          'leaf',
          outcome,
          info,
          undefined,
          op,
          undefined,
          undefined,
          undefined,
        ));
      }
      reused.outcome = outcome;
      reused.value = value;
      reused.op = op;
      return reused;
    };
    if (ops.length === 1) {
      const testValue = ops[0].test;
      const test = (root: unknown, scope: EvalScope): Outcome => {
        const value = read(root, scope);
        const outcome = testValue(value, scope);
        // A missing value is never an error: an absent annotation fails, it is not invalid.
        return outcome === ERROR && value === undefined ? FAIL : outcome;
      };
      return {
        info,
        canError,
        test,
        evaluate(root, scope) {
          const value = read(root, scope);
          let outcome = testValue(value, scope);
          if (outcome === ERROR && value === undefined) {
            outcome = FAIL;
          }
          return verdict(value, outcome, outcome === PASS ? -1 : 0, scope);
        },
      };
    }
    const tests = ops.map(o => o.test);
    const errorAfter = ops.map((_, i) =>
      ops.slice(i + 1).some(o => o.canError),
    );
    /** Index of the deciding operator, or -1 when all pass; negative codes keep this allocation-free. */
    const decide = (value: unknown, scope: EvalScope): number => {
      let failed = -1;
      for (let i = 0; i < tests.length; i++) {
        const result = tests[i](value, scope);
        if (result === ERROR) {
          if (value !== undefined) {
            return -2 - i;
          }
          // A missing value is never an error: the operator counts as failing.
          return failed === -1 ? i : failed;
        }
        if (result === FAIL && failed === -1) {
          failed = i;
          if (!errorAfter[i]) {
            break;
          }
        }
      }
      return failed;
    };
    return {
      info,
      canError,
      test(root, scope) {
        const decided = decide(read(root, scope), scope);
        if (decided === -1) {
          return PASS;
        }
        return decided < -1 ? ERROR : FAIL;
      },
      evaluate(root, scope) {
        const value = read(root, scope);
        const decided = decide(value, scope);
        if (decided === -1) {
          return verdict(value, PASS, -1, scope);
        }
        return decided < -1
          ? verdict(value, ERROR, -2 - decided, scope)
          : verdict(value, FAIL, decided, scope);
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
        expectation: `a ${type} link`,
        canError: false,
        test: item => (isLink(item) ? PASS : FAIL),
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

  /** A node that passes when an element of the list at `path` passes `element`. */
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
    const elementTest = element.test;
    const matchesFirstKey = element.matchesFirstKey;
    const none = new Verdict(
      'contains',
      FAIL,
      info,
      undefined,
      -1,
      undefined,
      undefined,
      undefined,
    );
    const reused = scratch('contains', info);
    return {
      info,
      canError: element.canError,
      test(root, scope) {
        const list = read(root, scope);
        if (!Array.isArray(list)) {
          return FAIL;
        }
        let outcome: Outcome = FAIL;
        for (let i = 0; i < list.length; i++) {
          const result = elementTest(list[i], scope);
          if (result === PASS) {
            return PASS;
          }
          if (result === ERROR) {
            outcome = ERROR;
          }
        }
        return outcome;
      },
      evaluate(root, scope) {
        const list = read(root, scope);
        if (!Array.isArray(list)) {
          return none;
        }
        let error = -1;
        let partial = -1;
        for (let i = 0; i < list.length; i++) {
          const item = list[i];
          const result = elementTest(item, scope);
          if (result === PASS) {
            reused.outcome = PASS;
            reused.value = item;
            reused.inner = element.evaluate(item, scope);
            return reused;
          }
          if (result === ERROR) {
            if (error === -1) {
              error = i;
            }
          } else if (
            partial === -1 &&
            matchesFirstKey &&
            matchesFirstKey(item, scope)
          ) {
            partial = i;
          }
        }
        const chosen = error !== -1 ? error : partial;
        if (chosen === -1) {
          return none;
        }
        reused.outcome = error !== -1 ? ERROR : FAIL;
        reused.value = list[chosen];
        reused.inner = element.evaluate(list[chosen], scope);
        return reused;
      },
    };
  }

  all(children: RuleNode[], implicit: boolean): RuleNode {
    const info: GroupInfo = {
      kind: 'all',
      children: children.map(c => c.info),
      requirement: children.length
        ? joinAnd(children.map(c => c.info.requirement))
        : 'anything',
    };
    const tests = children.map(c => c.test);
    const errorAfter = children.map((_, i) =>
      children.slice(i + 1).some(c => c.canError),
    );
    /** Index of the deciding child: -1 all pass, i fails, -2 - i errors. */
    const decide = (root: unknown, scope: EvalScope): number => {
      let failed = -1;
      for (let i = 0; i < tests.length; i++) {
        const result = tests[i](root, scope);
        if (result === ERROR) {
          return -2 - i;
        }
        if (result === FAIL && failed === -1) {
          failed = i;
          if (!errorAfter[i]) {
            break;
          }
        }
      }
      return failed;
    };
    const reused = scratch('all', info);
    const verdicts: Verdict[] = new Array(children.length);
    reused.children = verdicts;
    // A leaf costs the same to evaluate as to test, so leaves are evaluated once, right away;
    // other children are tested first and evaluated only when they decide.
    const leaf = children.map(c => c.info.kind === 'leaf');
    const node: RuleNode = {
      info,
      canError: children.some(c => c.canError),
      test(root, scope) {
        const decided = decide(root, scope);
        if (decided === -1) {
          return PASS;
        }
        return decided < -1 ? ERROR : FAIL;
      },
      evaluate(root, scope) {
        let failed = -1;
        for (let i = 0; i < children.length; i++) {
          let result: Outcome;
          if (leaf[i]) {
            const verdict = children[i].evaluate(root, scope);
            verdicts[i] = verdict;
            result = verdict.outcome;
          } else {
            result = tests[i](root, scope);
          }
          if (result === ERROR) {
            return leaf[i] ? verdicts[i] : children[i].evaluate(root, scope);
          }
          if (result === FAIL && failed === -1) {
            failed = i;
            if (!errorAfter[i]) {
              break;
            }
          }
        }
        if (failed !== -1) {
          return leaf[failed]
            ? verdicts[failed]
            : children[failed].evaluate(root, scope);
        }
        for (let i = 0; i < children.length; i++) {
          if (!leaf[i]) {
            verdicts[i] = children[i].evaluate(root, scope);
          }
        }
        return reused;
      },
    };
    if (implicit && tests.length > 0) {
      const first = tests[0];
      return {
        ...node,
        matchesFirstKey: (root, scope) => first(root, scope) === PASS,
      };
    }
    return node;
  }

  any(children: RuleNode[]): RuleNode {
    const info: GroupInfo = {
      kind: 'any',
      children: children.map(c => c.info),
      requirement: children.length
        ? anyRequirement(children.map(c => c.info))
        : 'nothing (an empty $any)',
    };
    const tests = children.map(c => c.test);
    const reused = scratch('none', info);
    reused.outcome = FAIL;
    const verdicts: Verdict[] = new Array(children.length);
    reused.children = verdicts;
    // As in `all`: leaves are evaluated once, right away.
    const leaf = children.map(c => c.info.kind === 'leaf');
    return {
      info,
      canError: children.some(c => c.canError),
      test(root, scope) {
        let outcome: Outcome = FAIL;
        for (let i = 0; i < tests.length; i++) {
          const result = tests[i](root, scope);
          if (result === PASS) {
            return PASS;
          }
          if (result === ERROR) {
            outcome = ERROR;
          }
        }
        return outcome;
      },
      evaluate(root, scope) {
        let error = -1;
        for (let i = 0; i < children.length; i++) {
          let result: Outcome;
          if (leaf[i]) {
            const verdict = children[i].evaluate(root, scope);
            verdicts[i] = verdict;
            result = verdict.outcome;
          } else {
            result = tests[i](root, scope);
          }
          if (result === PASS) {
            return leaf[i] ? verdicts[i] : children[i].evaluate(root, scope);
          }
          if (result === ERROR && error === -1) {
            error = i;
          }
        }
        if (error !== -1) {
          return leaf[error]
            ? verdicts[error]
            : children[error].evaluate(root, scope);
        }
        for (let i = 0; i < children.length; i++) {
          if (!leaf[i]) {
            verdicts[i] = children[i].evaluate(root, scope);
          }
        }
        return reused;
      },
    };
  }

  not(child: RuleNode): RuleNode {
    const info: NotInfo = {
      kind: 'not',
      child: child.info,
      requirement: `not (${child.info.requirement})`,
    };
    const testChild = child.test;
    const swap = (outcome: Outcome): Outcome => {
      if (outcome === ERROR) {
        return ERROR;
      }
      return outcome === PASS ? FAIL : PASS;
    };
    const reused = scratch('not', info);
    return {
      info,
      canError: child.canError,
      test: (root, scope) => swap(testChild(root, scope)),
      evaluate(root, scope) {
        const result = child.evaluate(root, scope);
        reused.outcome = swap(result.outcome);
        reused.inner = result;
        return reused;
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
  layout: PathLayout = new PathLayout(),
): CompiledRule {
  if (isPlainObject(rule) && Object.keys(rule).length === 0) {
    syntaxError('the rule is empty, so it would always pass');
  }
  const compiler = new RuleCompiler(registry, layout);
  const root = compiler.predicate(rule, '', false);
  return {
    test: root.test,
    evaluate: root.evaluate,
    requirement: root.info.requirement,
    paths: [...compiler.paths],
  };
}
