import { Fact, JsonValue } from '@guardrails/plugin-scorecards-common';
import { lookupDuration } from './dates';
import { joinAnd, renderValue, withArticle } from './phrases';
import type { Verdict, VerdictOf } from './verdict';

function staleClause(subject: string, fact: Fact): string {
  const freshFor =
    typeof fact.freshFor === 'string' ? lookupDuration(fact.freshFor) : null;
  return `${subject} is stale (observed ${fact.observedAt}${
    freshFor ? `, fresh for ${freshFor.words}` : ''
  })`;
}

/**
 * A leaf verdict as a clause. `withExpected` false leaves the expectation to the caller; `cap`
 * starts the clause with a capital letter.
 */
function leafClause(
  verdict: VerdictOf<'leaf'>,
  withExpected: boolean,
  cap: boolean,
): string {
  const info = verdict.node;
  const subject = cap ? info.Subject : info.subject;
  const value = verdict.value;
  if (verdict.outcome === 'pass') {
    if (value === undefined) {
      return `${subject} is not set`;
    }
    const reason = verdict.reason;
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
  const reason = verdict.reason;
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
): VerdictOf<'leaf'> | undefined {
  const isLeaf = (v: Verdict): v is VerdictOf<'leaf'> =>
    v.type === 'leaf' && v.node.path === path;
  if (!verdict) {
    return undefined;
  }
  if (verdict.type === 'all' || verdict.type === 'none') {
    return verdict.children.find(isLeaf);
  }
  return isLeaf(verdict) ? verdict : undefined;
}

function relationClause(
  verdict: VerdictOf<'contains'>,
  cap: boolean,
): string | undefined {
  const element = verdict.value as Record<string, unknown> | undefined;
  const targetRef = element?.targetRef;
  if (typeof targetRef !== 'string') {
    return undefined;
  }
  const info = verdict.node;
  const verb = cap ? info.RelationVerb : info.relationVerb;
  const target = findLeaf(verdict.inner, 'targetRef');
  if (!target) {
    return `${verb} ${targetRef}`;
  }
  const reason = target.reason;
  if (reason) {
    return `${verb} ${targetRef}, ${reason}`;
  }
  return verdict.outcome === 'pass'
    ? `${verb} ${targetRef}`
    : `${verb} ${targetRef}, expected ${target.node.expectation}`;
}

function containsClause(verdict: VerdictOf<'contains'>, cap: boolean): string {
  const info = verdict.node;
  if (info.relationType && verdict.value !== undefined) {
    const relation = relationClause(verdict, cap);
    if (relation) {
      return relation;
    }
  }
  const thereIs = cap ? 'There is' : 'there is';
  if (verdict.outcome === 'pass') {
    const detail = elementDetail(verdict.value);
    return detail
      ? `${thereIs} ${withArticle(info.noun)} (${detail})`
      : `${thereIs} ${withArticle(info.noun)}`;
  }
  if (verdict.inner) {
    return `${thereIs} ${withArticle(info.baseNoun)}, but ${clause(
      verdict.inner,
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

function isMissingAnnotation(verdict: Verdict): verdict is VerdictOf<'leaf'> {
  if (verdict.type !== 'leaf' || verdict.value !== undefined) {
    return false;
  }
  const info = verdict.node;
  return (
    info.exists === true &&
    !info.inElement &&
    info.path.startsWith('metadata.annotations.')
  );
}

function noneClause(verdict: VerdictOf<'none'>, cap: boolean): string {
  const children = verdict.children;
  const first = children[0]?.node;
  const shared =
    first?.kind === 'leaf' &&
    first.exists === undefined &&
    children.every(
      c => c.type === 'leaf' && c.node.expectation === first.expectation,
    )
      ? first.expectation
      : undefined;
  const missing = children
    .filter(isMissingAnnotation)
    .map(c => c.node.path.slice('metadata.annotations.'.length));
  // Missing annotations are said first, so only without them does another clause start.
  const parts = children
    .filter(c => !isMissingAnnotation(c))
    .map((child, i) =>
      clause(
        child,
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

function notClause(verdict: VerdictOf<'not'>, cap: boolean): string {
  const inner = verdict.inner;
  if (verdict.outcome === 'error') {
    return clause(inner, true, cap);
  }
  if (inner.type === 'leaf') {
    const info = inner.node;
    const subject = cap ? info.Subject : info.subject;
    const found =
      inner.value === undefined
        ? `${subject} is not set`
        : `${subject} is ${renderValue(inner.value)}`;
    return verdict.outcome === 'pass'
      ? found
      : `${found}, expected it not to be ${info.expectation}`;
  }
  return verdict.outcome === 'pass'
    ? `${cap ? 'It' : 'it'} is not the case that ${inner.node.requirement}`
    : `${clause(inner, true, cap)}, which this check does not allow`;
}

function clause(verdict: Verdict, withExpected: boolean, cap: boolean): string {
  switch (verdict.type) {
    case 'leaf':
      return leafClause(verdict, withExpected, cap);
    case 'contains':
      return containsClause(verdict, cap);
    case 'none':
      return noneClause(verdict, cap);
    case 'not':
      return notClause(verdict, cap);
    case 'all': {
      const children = verdict.children;
      if (children.length === 2) {
        return `${clause(children[0], true, cap)} and ${clause(
          children[1],
          true,
          false,
        )}`;
      }
      return joinAnd(children.map((c, i) => clause(c, true, cap && i === 0)));
    }
    default:
      return cap ? 'The rule sets no condition' : 'the rule sets no condition';
  }
}

/**
 * One sentence a service owner understands without reading the rule, e.g.
 * `Annotation guardrails.dev/slo-target is "high", expected a number greater than 0 and at most 100.`
 */
export function explainVerdict(verdict: Verdict, cap = true): string {
  return `${clause(verdict, true, cap)}.`;
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
      if (verdict.outcome !== 'pass' && verdict.inner) {
        return observedOf(verdict.inner);
      }
      return typeof verdict.value === 'string' ||
        typeof verdict.value === 'number' ||
        typeof verdict.value === 'boolean'
        ? verdict.value
        : elementDetail(verdict.value);
    case 'not':
      return observedOf(verdict.inner);
    default:
      return undefined;
  }
}
