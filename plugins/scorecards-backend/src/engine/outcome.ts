import { Fact, JsonValue } from '@guardrails/plugin-scorecards-common';
import { CatalogIndex } from './catalogIndex';
import type { EntityView } from './paths';

/** Outcome of a rule node: 0 pass, 1 fail, 2 error; numbers keep the hot path free of strings. */
export type Outcome = 0 | 1 | 2;
/** The rule holds. */
export const PASS = 0 as const;
/** The rule does not hold. */
export const FAIL = 1 as const;
/** The data the rule reads is present but invalid. */
export const ERROR = 2 as const;

/** What one evaluation of one entity shares between all its rules. */
export interface EvalScope {
  readonly now: Date;
  readonly nowMs: number;
  readonly catalog: CatalogIndex;
  /** The entity's view for the engine's path readers, when it has one. */
  readonly view: EntityView | undefined;
  /** Values of the entity's fresh facts, by name. */
  readonly facts: Record<string, JsonValue>;
  /** The entity's stale facts, by name, so explanations can say why a fact counts as absent. */
  readonly staleFacts: Record<string, Fact> | undefined;
}
