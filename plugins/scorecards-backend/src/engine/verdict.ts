import type { Fact, JsonValue } from '@guardrails/plugin-scorecards-common';
import type { CatalogIndex } from './catalogIndex';

/** How a rule node came out on an entity. */
export type Outcome = 'pass' | 'fail' | 'error';

/** What one evaluation of one entity shares between all its rules. */
export interface EvalScope {
  readonly now: Date;
  readonly nowMs: number;
  readonly catalog: CatalogIndex;
  /** Values of the entity's fresh facts, by name. */
  readonly facts: Record<string, JsonValue>;
  /** The entity's stale facts, by name, so explanations can say why a fact counts as absent. */
  readonly staleFacts: Record<string, Fact> | undefined;
}

/** The numeric comparison operators. */
export type NumericOperator = '$gt' | '$gte' | '$lt' | '$lte';

/** A value operator with its argument compiled in, as a leaf of a rule applies it. */
export interface CompiledOperator {
  readonly name: string;
  /** The argument as the rule gives it. */
  readonly argument: unknown;
  /** The expectation in words, read after "expected", e.g. `a number greater than 0`. */
  readonly expectation: string;
  /** The outcome, and a clause that explains it, e.g. `which is 412 days old`. */
  test(value: unknown, scope: EvalScope): { outcome: Outcome; reason?: string };
}

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
}

/** `$all`, `$any`, or several paths in one object (an implicit `$all`). */
export interface GroupInfo {
  readonly kind: 'all' | 'any';
  readonly children: readonly NodeInfo[];
  readonly requirement: string;
}

/** `<path>: { $contains: <element predicate> }` and `<path>: { $link: <type> }`. */
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
}

/** `$not`. */
export interface NotInfo {
  readonly kind: 'not';
  readonly child: NodeInfo;
  readonly requirement: string;
}

/** An empty object: always passes. */
export interface EmptyInfo {
  readonly kind: 'empty';
  readonly requirement: string;
}

/** What the explanation of a verdict needs to know about the node that produced it. */
export type NodeInfo =
  | LeafInfo
  | GroupInfo
  | ContainsInfo
  | NotInfo
  | EmptyInfo;

/**
 * How a rule node came out, with what its explanation needs; never changed once made.
 * `all` is every child passing, `none` is every alternative of an `$any` failing.
 */
export type Verdict =
  | {
      readonly type: 'leaf';
      readonly outcome: Outcome;
      readonly node: LeafInfo;
      /** The value read (trimmed when text). */
      readonly value: unknown;
      /** Index of the operator that decided a fail or error, or -1. */
      readonly op: number;
      /** What the deciding operator (or, on a pass, the first with something to say) said. */
      readonly reason: string | undefined;
      /** The fact the leaf reads, when it exists but is stale. */
      readonly stale: Fact | undefined;
    }
  | {
      readonly type: 'all';
      readonly outcome: 'pass';
      readonly node: GroupInfo;
      readonly children: readonly Verdict[];
    }
  | {
      readonly type: 'none';
      readonly outcome: 'fail';
      readonly node: GroupInfo;
      readonly children: readonly Verdict[];
    }
  | {
      readonly type: 'contains';
      readonly outcome: Outcome;
      readonly node: ContainsInfo;
      /** The matching element, or the one worth explaining; undefined when there is none. */
      readonly value: unknown;
      /** The element's verdict. */
      readonly inner: Verdict | undefined;
    }
  | {
      readonly type: 'not';
      readonly outcome: Outcome;
      readonly node: NotInfo;
      readonly inner: Verdict;
    }
  | {
      readonly type: 'empty';
      readonly outcome: 'pass';
      readonly node: EmptyInfo;
    };

/** A verdict of one type. */
export type VerdictOf<T extends Verdict['type']> = Extract<
  Verdict,
  { type: T }
>;
