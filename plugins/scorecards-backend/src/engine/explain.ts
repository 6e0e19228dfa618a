import { Fact, JsonValue } from '@guardrails/plugin-scorecards-common';
import { lookupDuration } from './dates';
import type { EvalScope } from './outcome';
import {
  MAX_VALUE_LENGTH,
  joinAnd,
  renderValue,
  withArticle,
} from './phrases';
import type { ContainsInfo, LeafInfo, Verdict } from './rules';

function leafReason(verdict: Verdict, scope: EvalScope): string | undefined {
  const info = verdict.node as LeafInfo;
  const value = verdict.value;
  if (verdict.op >= 0) {
    return info.ops[verdict.op].reason?.(value, scope);
  }
  for (const op of info.ops) {
    const reason = op.reason?.(value, scope);
    if (reason) {
      return reason;
    }
  }
  return undefined;
}

function staleClause(subject: string, fact: Fact): string {
  const freshFor =
    typeof fact.freshFor === 'string' ? lookupDuration(fact.freshFor) : null;
  return `${subject} is stale (observed ${fact.observedAt}${
    freshFor ? `, fresh for ${freshFor.words}` : ''
  })`;
}

/**
 * A leaf verdict as a clause. `withExpected` false leaves the expectation to the caller; `cap`
 * starts the clause with a capital letter (cheaper than capitalising afterwards).
 */
function leafClause(
  verdict: Verdict,
  scope: EvalScope,
  withExpected: boolean,
  cap: boolean,
): string {
  const info = verdict.node as LeafInfo;
  const subject = cap ? info.Subject : info.subject;
  const value = verdict.value;
  if (verdict.outcome === 0) {
    if (value === undefined) {
      return `${subject} is not set`;
    }
    const reason = leafReason(verdict, scope);
    if (typeof value === 'string' && value.length <= MAX_VALUE_LENGTH) {
      // The common case, built in one step.
      return reason
        ? `${subject} is "${value}", ${reason}`
        : `${subject} is "${value}"`;
    }
    return reason
      ? `${subject} is ${renderValue(value)}, ${reason}`
      : `${subject} is ${renderValue(value)}`;
  }
  if (value === undefined) {
    const missing = verdict.stale
      ? staleClause(subject, verdict.stale)
      : `${subject} is not set`;
    return withExpected && info.exists !== true
      ? `${missing}, expected ${info.expectation}`
      : missing;
  }
  if (info.exists === false) {
    return `${subject} is set to ${renderValue(
      value,
    )}, but it should not be set`;
  }
  const reason = leafReason(verdict, scope);
  if (!withExpected) {
    return reason
      ? `${subject} is ${renderValue(value)}, ${reason}`
      : `${subject} is ${renderValue(value)}`;
  }
  return reason
    ? `${subject} is ${renderValue(value)}, ${reason}; expected ${
        info.expectation
      }`
    : `${subject} is ${renderValue(value)}, expected ${info.expectation}`;
}

function elementDetail(element: unknown): string | undefined {
  if (typeof element === 'object' && element !== null) {
    const { url, targetRef, title } = element as Record<string, unknown>;
    if (typeof url === 'string') {
      return url;
    }
    if (typeof targetRef === 'string') {
      return targetRef;
    }
    if (typeof title === 'string') {
      return title;
    }
  }
  return undefined;
}

function findLeaf(
  verdict: Verdict | undefined,
  path: string,
): Verdict | undefined {
  if (!verdict) {
    return undefined;
  }
  if (verdict.type === 'leaf') {
    return (verdict.node as LeafInfo).path === path ? verdict : undefined;
  }
  return verdict.children?.find(
    c => c.type === 'leaf' && (c.node as LeafInfo).path === path,
  );
}

function relationClause(
  info: ContainsInfo,
  verdict: Verdict,
  scope: EvalScope,
  cap: boolean,
): string | undefined {
  const element = verdict.value as Record<string, unknown> | undefined;
  const targetRef = element?.targetRef;
  if (typeof targetRef !== 'string') {
    return undefined;
  }
  const verb = cap ? info.RelationVerb : info.relationVerb;
  const target = findLeaf(verdict.inner, 'targetRef');
  if (!target) {
    return `${verb} ${targetRef}`;
  }
  const reason = leafReason(target, scope);
  if (reason) {
    return `${verb} ${targetRef}, ${reason}`;
  }
  return verdict.outcome === 0
    ? `${verb} ${targetRef}`
    : `${verb} ${targetRef}, expected ${(target.node as LeafInfo).expectation}`;
}

function containsClause(
  verdict: Verdict,
  scope: EvalScope,
  cap: boolean,
): string {
  const info = verdict.node as ContainsInfo;
  if (info.relationType && verdict.value !== undefined) {
    const relation = relationClause(info, verdict, scope, cap);
    if (relation) {
      return relation;
    }
  }
  const thereIs = cap ? 'There is' : 'there is';
  if (verdict.outcome === 0) {
    const detail = elementDetail(verdict.value);
    return detail
      ? `${thereIs} ${withArticle(info.noun)} (${detail})`
      : `${thereIs} ${withArticle(info.noun)}`;
  }
  if (verdict.inner) {
    return `${thereIs} ${withArticle(info.baseNoun)}, but ${clause(
      verdict.inner,
      scope,
      true,
      false,
    )}`;
  }
  if (info.relationType?.toLowerCase() === 'ownedby') {
    return `${cap ? 'The' : 'the'} entity has no owner (no ownedBy relation)`;
  }
  return info.absent
    ? `${thereIs} no ${info.noun}: ${info.absent}`
    : `${thereIs} no ${info.noun}`;
}

function isMissingAnnotation(verdict: Verdict): boolean {
  if (verdict.type !== 'leaf' || verdict.value !== undefined) {
    return false;
  }
  const info = verdict.node as LeafInfo;
  return (
    info.exists === true &&
    !info.inElement &&
    info.path.startsWith('metadata.annotations.')
  );
}

function noneClause(verdict: Verdict, scope: EvalScope, cap: boolean): string {
  const children = verdict.children ?? [];
  const first = children[0]?.node;
  const shared =
    first?.kind === 'leaf' &&
    first.exists === undefined &&
    children.every(
      c =>
        c.type === 'leaf' &&
        (c.node as LeafInfo).expectation === first.expectation,
    )
      ? first.expectation
      : undefined;
  const missing = children
    .filter(isMissingAnnotation)
    .map(c => (c.node as LeafInfo).path.slice('metadata.annotations.'.length));
  // Missing annotations are said first, so only without them does another clause start.
  const parts = children
    .filter(c => !isMissingAnnotation(c))
    .map((child, i) =>
      clause(
        child,
        scope,
        shared === undefined,
        cap && i === 0 && missing.length === 0,
      ),
    );
  if (missing.length === 1) {
    parts.unshift(
      `${cap ? 'Annotation' : 'annotation'} ${missing[0]} is not set`,
    );
  } else if (missing.length > 1) {
    parts.unshift(
      `${cap ? 'None' : 'none'} of the annotations ${missing.join(
        ', ',
      )} is set`,
    );
  }
  if (parts.length === 0) {
    return `${
      cap ? 'None' : 'none'
    } of the alternatives holds (the rule has an empty $any)`;
  }
  const text = joinAnd(parts);
  if (shared === undefined) {
    return text;
  }
  return children.length === 1
    ? `${text}; expected ${shared}`
    : `${text}; expected one of them to be ${shared}`;
}

function notClause(verdict: Verdict, scope: EvalScope, cap: boolean): string {
  const inner = verdict.inner!;
  if (verdict.outcome === 2) {
    return clause(inner, scope, true, cap);
  }
  if (inner.type === 'leaf') {
    const info = inner.node as LeafInfo;
    const subject = cap ? info.Subject : info.subject;
    const found =
      inner.value === undefined
        ? `${subject} is not set`
        : `${subject} is ${renderValue(inner.value)}`;
    return verdict.outcome === 0
      ? found
      : `${found}, expected it not to be ${info.expectation}`;
  }
  return verdict.outcome === 0
    ? `${cap ? 'It' : 'it'} is not the case that ${inner.node.requirement}`
    : `${clause(inner, scope, true, cap)}, which this check does not allow`;
}

function clause(
  verdict: Verdict,
  scope: EvalScope,
  withExpected: boolean,
  cap: boolean,
): string {
  switch (verdict.type) {
    case 'leaf':
      return leafClause(verdict, scope, withExpected, cap);
    case 'contains':
      return containsClause(verdict, scope, cap);
    case 'none':
      return noneClause(verdict, scope, cap);
    case 'not':
      return notClause(verdict, scope, cap);
    case 'all': {
      const children = verdict.children ?? [];
      if (children.length === 2) {
        return `${clause(children[0], scope, true, cap)} and ${clause(
          children[1],
          scope,
          true,
          false,
        )}`;
      }
      return joinAnd(
        children.map((c, i) => clause(c, scope, true, cap && i === 0)),
      );
    }
    default:
      return cap ? 'The rule sets no condition' : 'the rule sets no condition';
  }
}

/** Whether a verdict's sentence depends on nothing but its node and outcome. */
function isConstant(verdict: Verdict): boolean {
  switch (verdict.type) {
    case 'leaf':
      return verdict.value === undefined && verdict.stale === undefined;
    case 'contains':
      return verdict.outcome !== 0 && verdict.inner === undefined;
    case 'none':
      return verdict.children!.every(isConstant);
    case 'not':
      return isConstant(verdict.inner!);
    case 'empty':
      return true;
    default:
      return false;
  }
}

/** The sentence of a leaf that read a short string: most results, so built from few pieces. */
function stringLeafSentence(
  verdict: Verdict,
  value: string,
  scope: EvalScope,
  cap: boolean,
): string {
  const info = verdict.node as LeafInfo;
  const fragments = (info.fragments ??= {
    is: `${info.subject} is "`,
    isCap: `${info.Subject} is "`,
    expectedEnd: `", expected ${info.expectation}.`,
    reasonExpectedEnd: `; expected ${info.expectation}.`,
  });
  const head = cap ? fragments.isCap : fragments.is;
  const reason = leafReason(verdict, scope);
  if (verdict.outcome === 0) {
    return reason ? `${head}${value}", ${reason}.` : `${head}${value}".`;
  }
  return reason
    ? `${head}${value}", ${reason}${fragments.reasonExpectedEnd}`
    : `${head}${value}${fragments.expectedEnd}`;
}

/** The sentence of a `$contains` verdict when it is a relation or a match; else undefined. */
function containsSentence(
  verdict: Verdict,
  scope: EvalScope,
  cap: boolean,
): string | undefined {
  const info = verdict.node as ContainsInfo;
  const fragments = (info.fragments ??= {
    relation: `${info.relationVerb} `,
    Relation: `${info.RelationVerb} `,
    thereIs: `there is ${withArticle(info.noun)}`,
    ThereIs: `There is ${withArticle(info.noun)}`,
  });
  const element = verdict.value;
  if (info.relationType && element !== undefined) {
    const targetRef = (element as { targetRef?: unknown } | null)?.targetRef;
    if (typeof targetRef !== 'string') {
      return undefined;
    }
    const head = cap ? fragments.Relation : fragments.relation;
    const target = findLeaf(verdict.inner, 'targetRef');
    const reason = target ? leafReason(target, scope) : undefined;
    if (reason) {
      return `${head}${targetRef}, ${reason}.`;
    }
    if (verdict.outcome === 0 || !target) {
      return `${head}${targetRef}.`;
    }
    return `${head}${targetRef}, expected ${
      (target.node as LeafInfo).expectation
    }.`;
  }
  if (verdict.outcome !== 0) {
    return undefined;
  }
  const detail = elementDetail(element);
  const head = cap ? fragments.ThereIs : fragments.thereIs;
  return detail ? `${head} (${detail}).` : `${head}.`;
}

/**
 * One sentence a service owner understands without reading the rule, e.g.
 * `Annotation guardrails.dev/slo-target is "high", expected a number greater than 0 and at most 100.`
 * Sentences that depend only on the rule (a value is missing) are built once and reused.
 */
export function explainVerdict(
  verdict: Verdict,
  scope: EvalScope,
  cap = true,
): string {
  const value = verdict.value;
  if (
    verdict.type === 'leaf' &&
    typeof value === 'string' &&
    value.length <= MAX_VALUE_LENGTH &&
    (verdict.node as LeafInfo).exists !== false
  ) {
    return stringLeafSentence(verdict, value, scope, cap);
  }
  if (verdict.type === 'contains') {
    const sentence = containsSentence(verdict, scope, cap);
    if (sentence !== undefined) {
      return sentence;
    }
  }
  if (isConstant(verdict)) {
    const memo = (verdict.node.sentences ??= []);
    const key = verdict.outcome * 2 + (cap ? 1 : 0);
    return (memo[key] ??= `${clause(verdict, scope, true, cap)}.`);
  }
  return `${clause(verdict, scope, true, cap)}.`;
}

/** What the deciding node expected, as a clause, e.g. `annotation X is set`. */
export function expectedOf(verdict: Verdict): string {
  return verdict.node.requirement;
}

/** The value the deciding node looked at, when it is a plain value worth keeping. */
export function observedOf(verdict: Verdict): JsonValue | undefined {
  switch (verdict.type) {
    case 'leaf': {
      const value = verdict.value;
      return value === null ||
        typeof value === 'string' ||
        typeof value === 'number' ||
        typeof value === 'boolean'
        ? value
        : undefined;
    }
    case 'contains':
      if (verdict.outcome !== 0 && verdict.inner) {
        return observedOf(verdict.inner);
      }
      return typeof verdict.value === 'string' ||
        typeof verdict.value === 'number' ||
        typeof verdict.value === 'boolean'
        ? verdict.value
        : elementDetail(verdict.value);
    case 'not':
      return observedOf(verdict.inner!);
    default:
      return undefined;
  }
}
