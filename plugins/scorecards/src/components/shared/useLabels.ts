import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  BUILTIN_CHECK_CATEGORIES,
  type CheckSeverity,
} from '@guardrails/plugin-scorecards-common';
import { useCallback } from 'react';
import { scorecardsTranslationRef } from '../../translation';

type BuiltinCategory = (typeof BUILTIN_CHECK_CATEGORIES)[number];

/** Names for categories (translated when built in) and severities. */
export function useLabels() {
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const category = useCallback(
    (id: string) =>
      (BUILTIN_CHECK_CATEGORIES as readonly string[]).includes(id)
        ? t(`category.${id as BuiltinCategory}`)
        : id.charAt(0).toLocaleUpperCase() + id.slice(1),
    [t],
  );
  const severity = useCallback((id: CheckSeverity) => t(`severity.${id}`), [t]);
  return { category, severity };
}
