import { useApi } from '@backstage/core-plugin-api';
import type { GroupRollupNode } from '@guardrails/plugin-scorecards-common';
import { useCallback, useEffect, useRef, useState } from 'react';
import { scorecardsApiRef } from '../../api';

/** Where the groups below one group stand: on their way, failed, or there. */
export type GroupChildren =
  | { loading: true }
  | { error: Error }
  | { groups: GroupRollupNode[] };

const NONE: ReadonlyMap<string, GroupChildren> = new Map();

/**
 * The groups below each expanded group, each asked of the backend (one level, with whether each
 * has groups below it) the first time it is expanded, and kept while the scorecard stays.
 */
export function useGroupChildren(
  scorecard: string | undefined,
  expanded: readonly string[],
): {
  children: ReadonlyMap<string, GroupChildren>;
  retry: (ref: string) => void;
} {
  const api = useApi(scorecardsApiRef);
  const [state, setState] = useState({ scorecard, byRef: NONE });
  const byRef = state.scorecard === scorecard ? state.byRef : NONE;
  const current = useRef(scorecard);
  current.current = scorecard;

  const load = useCallback(
    (ref: string) => {
      const set = (children: GroupChildren) =>
        setState(previous => {
          // An answer for the scorecard the page showed before is nobody's now.
          if (current.current !== scorecard) return previous;
          const base = previous.scorecard === scorecard ? previous.byRef : NONE;
          return { scorecard, byRef: new Map(base).set(ref, children) };
        });
      set({ loading: true });
      api.getRollup({ by: 'group', scope: ref, scorecard, depth: 1 }).then(
        answer =>
          set({
            groups:
              answer.by === 'group' ? answer.groups[0]?.children ?? [] : [],
          }),
        error => set({ error }),
      );
    },
    [api, scorecard],
  );

  useEffect(() => {
    for (const ref of expanded) {
      if (!byRef.has(ref)) load(ref);
    }
  }, [expanded, byRef, load]);

  return { children: byRef, retry: load };
}
