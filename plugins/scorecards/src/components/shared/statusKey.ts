import type { CheckStatus } from '@guardrails/plugin-scorecards-common';

/** The translation key of a status: the status itself, in camel case. */
export function statusKey(
  status: CheckStatus,
): 'pass' | 'fail' | 'warn' | 'waived' | 'notApplicable' | 'error' {
  return status === 'not-applicable' ? 'notApplicable' : status;
}
