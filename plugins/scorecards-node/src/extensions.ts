import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type {
  CheckDefinition,
  JsonValue,
  ScorecardDefinition,
} from '@guardrails/plugin-scorecards-common';

/**
 * What a rule operator says about one value.
 *
 * @public
 */
export type RuleOperatorOutcome =
  | {
      result: 'pass' | 'fail';
      /** A clause the explanation adds after the value, e.g. `which is 55 days old`. */
      reason?: string;
    }
  | {
      result: 'error';
      /** What was wrong with the value, e.g. `is not a semantic version`. */
      problem?: string;
    };

/**
 * What a rule operator may look up while it evaluates a value.
 *
 * @public
 */
export interface RuleOperatorContext {
  /**
   * The catalog entity with this full ref (`kind:namespace/name`, in any case), as far as the
   * evaluation read it; undefined when the catalog has no such entity.
   */
  getEntity(entityRef: string): { [key: string]: unknown } | undefined;
}

/**
 * A value operator that rules can use beside the built-in ones, e.g. `$semverAtLeast`. The
 * built-in operators are written against this interface too.
 *
 * @public
 */
export interface RuleOperator<TArgument = JsonValue> {
  /** The operator's name, starting with `$`. */
  name: `$${string}`;
  /**
   * Checks the operator's argument when the definitions are read, and returns it in the form
   * `evaluate` takes; throws with a message that says what is wrong.
   */
  compile(argument: JsonValue): TArgument;
  /** What a passing value looks like, in words, e.g. `a version of at least 2.0.0`. */
  describe(argument: TArgument): string;
  /**
   * Evaluates the operator on the value found at the rule's path (undefined when absent).
   * Must not throw; `now` is the evaluation time.
   */
  evaluate(
    value: JsonValue | undefined,
    argument: TArgument,
    now: Date,
    context: RuleOperatorContext,
  ): RuleOperatorOutcome;
}

/**
 * Makes a rule operator, so that the type its argument compiles to is inferred for `describe`
 * and `evaluate`.
 *
 * @public
 */
export function createRuleOperator<TArgument>(
  operator: RuleOperator<TArgument>,
): RuleOperator<TArgument> {
  return operator;
}

/**
 * Lets backend modules add checks, scorecards and rule operators in code, beside those in
 * app-config.
 *
 * @public
 */
export interface ScorecardsDefinitionsExtensionPoint {
  /** Adds checks; their ids must not clash with other checks. */
  addChecks(...checks: CheckDefinition[]): void;
  /** Adds scorecards; their ids must not clash with other scorecards. */
  addScorecards(...scorecards: ScorecardDefinition[]): void;
  /**
   * Adds value operators for rules. Made with {@link createRuleOperator}, each keeps the type its
   * argument compiles to.
   */
  addOperators(...operators: RuleOperator<unknown>[]): void;
}

/**
 * The extension point of the scorecards backend for checks, scorecards and operators.
 *
 * @public
 */
export const scorecardsDefinitionsExtensionPoint =
  createExtensionPoint<ScorecardsDefinitionsExtensionPoint>({
    id: 'scorecards.definitions',
  });
