import { createApiRef } from '@backstage/core-plugin-api';
import type {
  DefinitionsResponse,
  EntityHistoryResponse,
  EntityScorecardsResponse,
  RollupResponse,
} from '@guardrails/plugin-scorecards-common';

/**
 * What {@link ScorecardsApi.getRollup} aggregates and over which entities.
 *
 * @public
 */
export interface RollupRequest {
  /** The dimension: the group tree, Systems, Domains, checks or categories. */
  by: RollupResponse['by'];
  /** `all` (the default), or a group, System or Domain ref. */
  scope?: string;
  /** The scorecard's id; by default the first one. */
  scorecard?: string;
}

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

  /** One scorecard aggregated along one dimension, over the entities of a scope. */
  getRollup(request: RollupRequest): Promise<RollupResponse>;
}

/**
 * The {@link ScorecardsApi}.
 *
 * @public
 */
export const scorecardsApiRef = createApiRef<ScorecardsApi>({
  id: 'plugin.scorecards.api',
});
