import {
  BUILTIN_CHECK_CATEGORIES,
  CHECK_STATUSES,
  type CheckResultView,
  type CheckStatus,
} from '@guardrails/plugin-scorecards-common';

/** Statuses whose rule does not hold and that no waiver excuses: what needs the owner's work. */
export const NEEDS_ATTENTION: readonly CheckStatus[] = [
  'error',
  'fail',
  'warn',
];

/** Whether a check needs the owner's attention. */
export function needsAttention(
  check: Pick<CheckResultView, 'status'>,
): boolean {
  return NEEDS_ATTENTION.includes(check.status);
}

/** Checks worst first (error, fail, warn, waived, pass, not applicable), then by severity. */
export function worstFirst<
  T extends Pick<CheckResultView, 'status' | 'severity'>,
>(checks: readonly T[]): T[] {
  const severities = ['critical', 'high', 'medium', 'low', 'warning'];
  return [...checks].sort(
    (a, b) =>
      CHECK_STATUSES.indexOf(a.status) - CHECK_STATUSES.indexOf(b.status) ||
      severities.indexOf(a.severity) - severities.indexOf(b.severity),
  );
}

/** The built-in categories in their usual order, then any others alphabetically. */
export function orderCategories(categories: Iterable<string>): string[] {
  const builtin: readonly string[] = BUILTIN_CHECK_CATEGORIES;
  return [...new Set(categories)].sort((a, b) => {
    const ia = builtin.indexOf(a);
    const ib = builtin.indexOf(b);
    if (ia !== -1 || ib !== -1) {
      return (
        (ia === -1 ? builtin.length : ia) - (ib === -1 ? builtin.length : ib)
      );
    }
    return a.localeCompare(b);
  });
}

/** Whether fixing a check means editing the entity's own descriptor, not another system. */
export function readsCatalogInfo(
  check: Pick<CheckResultView, 'reads'>,
): boolean {
  return (check.reads ?? []).some(
    path =>
      path.startsWith('metadata.') ||
      path.startsWith('spec.') ||
      path === 'relations' ||
      path.startsWith('relations.'),
  );
}
