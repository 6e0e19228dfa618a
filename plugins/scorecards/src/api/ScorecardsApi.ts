import { createApiRef } from '@backstage/core-plugin-api';
import type {
  DefinitionsResponse,
  EntityHistoryResponse,
  EntitiesPageResponse,
  EntityScorecardsResponse,
  HeatmapResponse,
  IndicatorsResponse,
  RollupResponse,
  TrendsResponse,
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
  /**
   * By group only: how many levels below the top to include, the last level's groups saying
   * in `hasChildren` whether they have some; the whole tree when absent.
   */
  depth?: number;
}

/**
 * Which entities {@link ScorecardsApi.getEntities} lists, in which order, and which page.
 *
 * @public
 */
export interface EntitiesRequest {
  /** The scorecard's id; by default the first one. */
  scorecard?: string;
  /** `all` (the default), or a group, System or Domain ref. */
  scope?: string;
  kind?: string;
  /** `spec.type`, e.g. `service`. */
  type?: string;
  /** `spec.lifecycle`, e.g. `production`. */
  lifecycle?: string;
  /** Owner refs: entities owned directly by one of them (e.g. the reader's teams). */
  owner?: string[];
  /** A System ref. */
  system?: string;
  /** A Domain ref. */
  domain?: string;
  /** A level's name, or `none` for entities without a level. */
  level?: string;
  /** Only entities where this check is `fail` or `error`. */
  failingCheck?: string;
  /** Text search in the entity's name and title. */
  q?: string;
  /** `score`, `level`, `name`, `failing` or `since`, with a leading `-` for descending. */
  sort?: string;
  /** The `nextCursor` or `prevCursor` of a page, for the page after or before it. */
  cursor?: string;
  pageSize?: number;
}

/**
 * Which scope and columns {@link ScorecardsApi.getHeatmap} reads.
 *
 * @public
 */
export interface HeatmapRequest {
  scorecard?: string;
  /** `all` (the default), or a group, System or Domain ref. */
  scope?: string;
  /** The columns: checks (the default) or categories. */
  axis?: HeatmapResponse['axis'];
}

/**
 * Which scope and window {@link ScorecardsApi.getTrends} reads.
 *
 * @public
 */
export interface TrendsRequest {
  scorecard?: string;
  scope?: string;
  from?: Date;
  to?: Date;
  /** The step between points, as an ISO-8601 duration such as `P1D` or `P1W`. */
  interval?: string;
}

/**
 * Which scope {@link ScorecardsApi.getIndicators} reads.
 *
 * @public
 */
export interface IndicatorsRequest {
  /** `all` (the default), or a group, System or Domain ref. */
  scope?: string;
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

  /** The scope's child groups (a Domain's Systems) against checks or categories. */
  getHeatmap(request: HeatmapRequest): Promise<HeatmapResponse>;

  /** One page of the drill-down: entities of a scope with their standing. */
  getEntities(request: EntitiesRequest): Promise<EntitiesPageResponse>;

  /** Every entity the drill-down's filters select (no paging), as CSV. */
  getEntitiesCsv(
    request: Omit<EntitiesRequest, 'cursor' | 'pageSize'>,
  ): Promise<string>;

  /** A scope's standing over time, and the entities that moved most. */
  getTrends(request: TrendsRequest): Promise<TrendsResponse>;

  /** The headline indicators of a scope: each one's value now and 30 days ago. */
  getIndicators(request: IndicatorsRequest): Promise<IndicatorsResponse>;
}

/**
 * The {@link ScorecardsApi}.
 *
 * @public
 */
export const scorecardsApiRef = createApiRef<ScorecardsApi>({
  id: 'plugin.scorecards.api',
});
