import { useApi } from '@backstage/core-plugin-api';
import type { GroupRollupNode } from '@guardrails/plugin-scorecards-common';
import { useCallback, useEffect, useState } from 'react';
import { scorecardsApiRef } from '../../api';

/** Where the groups below one group stand: on their way, failed, or there. */
export type GroupChildren =
  | { loading: true }
  | { error: Error }
  | { groups: GroupRollupNode[] };

/**
 * The groups below each expanded group, each asked of the backend (one level, with whether each
 * has groups below it) the first time it is expanded against a scorecard, and kept.
 */
export function useGroupChildren(
  scorecard: string | undefined,
  expanded: readonly string[],
): {
  childrenOf: (ref: string) => GroupChildren | undefined;
  retry: (ref: string) => void;
} {
  const api = useApi(scorecardsApiRef);
  // By scorecard and group: an answer for a scorecard the page no longer shows stays apart.
  const [byKey, setByKey] = useState<ReadonlyMap<string, GroupChildren>>(
    () => new Map(),
  );
  const keyOf = useCallback(
    (ref: string) => JSON.stringify([scorecard ?? null, ref]),
    [scorecard],
  );

  const retry = useCallback(
    (ref: string) => {
      const key = keyOf(ref);
      const set = (children: GroupChildren) =>
        setByKey(previous => new Map(previous).set(key, children));
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
    [api, scorecard, keyOf],
  );

  useEffect(() => {
    for (const ref of expanded) {
      if (!byKey.has(keyOf(ref))) retry(ref);
    }
  }, [expanded, byKey, keyOf, retry]);

  return { childrenOf: ref => byKey.get(keyOf(ref)), retry };
}
