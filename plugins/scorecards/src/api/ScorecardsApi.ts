import { createApiRef } from '@backstage/core-plugin-api';
import type {
  DefinitionsResponse,
  EntityHistoryResponse,
  EntityScorecardsResponse,
} from '@guardrails/plugin-scorecards-common';

/**
 * Reads scorecards from the Guardrails Scorecards backend.
 *
 * @public
 */
export interface ScorecardsApi {
  /** Every scorecard of one entity, or why it has none. */
  getEntityScorecards(entityRef: string): Promise<EntityScorecardsResponse>;

  /** Evaluates one entity now, stores the result and returns it. */
  evaluateEntity(entityRef: string): Promise<EntityScorecardsResponse>;

  /** What changed for one entity between two times (by default the last 90 days). */
  getEntityHistory(
    entityRef: string,
    options?: { from?: Date; to?: Date },
  ): Promise<EntityHistoryResponse>;

  /** Every check and scorecard the backend evaluates. */
  getDefinitions(): Promise<DefinitionsResponse>;
}

/**
 * The {@link ScorecardsApi}.
 *
 * @public
 */
export const scorecardsApiRef = createApiRef<ScorecardsApi>({
  id: 'plugin.scorecards.api',
});
