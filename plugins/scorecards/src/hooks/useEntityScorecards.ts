import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import type { EntityScorecardsResponse } from '@guardrails/plugin-scorecards-common';
import { useCallback, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { scorecardsApiRef } from '../api';

/** The scorecards of the entity on the page, with a way to replace them by a fresh evaluation. */
export function useEntityScorecards() {
  const { entity } = useEntity();
  const api = useApi(scorecardsApiRef);
  const entityRef = stringifyEntityRef(entity);
  const state = useAsyncRetry(
    () => api.getEntityScorecards(entityRef),
    [api, entityRef],
  );
  const [fresh, setFresh] = useState<{
    entityRef: string;
    value: EntityScorecardsResponse;
  }>();
  const value = fresh?.entityRef === entityRef ? fresh.value : state.value;
  const { retry } = state;

  const replace = useCallback(
    (next: EntityScorecardsResponse) => setFresh({ entityRef, value: next }),
    [entityRef],
  );
  const reload = useCallback(() => {
    setFresh(undefined);
    retry();
  }, [retry]);

  return {
    entity,
    entityRef,
    loading: state.loading && !value,
    error: value ? undefined : state.error,
    value,
    replace,
    reload,
  };
}
