import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
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
import type {
  EntitiesRequest,
  HeatmapRequest,
  IndicatorsRequest,
  RollupRequest,
  ScorecardsApi,
  TrendsRequest,
} from './ScorecardsApi';

function entitiesQuery(request: EntitiesRequest) {
  return {
    scorecard: request.scorecard,
    scope: request.scope,
    kind: request.kind,
    type: request.type,
    lifecycle: request.lifecycle,
    owner: request.owner?.join(','),
    system: request.system,
    domain: request.domain,
    level: request.level,
    failingCheck: request.failingCheck,
    q: request.q,
    sort: request.sort,
    cursor: request.cursor,
    pageSize: request.pageSize?.toString(),
  };
}

/**
 * The {@link ScorecardsApi} over the backend's REST API, `/api/scorecards`.
 *
 * @public
 */
export class ScorecardsClient implements ScorecardsApi {
  readonly #discoveryApi: DiscoveryApi;
  readonly #fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.#discoveryApi = options.discoveryApi;
    this.#fetchApi = options.fetchApi;
  }

  async getEntityScorecards(
    entityRef: string,
  ): Promise<EntityScorecardsResponse> {
    return this.#request('GET', '/entity', { query: { entityRef } });
  }

  async evaluateEntity(entityRef: string): Promise<EntityScorecardsResponse> {
    return this.#request('POST', '/entity/evaluate', { body: { entityRef } });
  }

  async getEntityHistory(
    entityRef: string,
    options: { from?: Date; to?: Date } = {},
  ): Promise<EntityHistoryResponse> {
    return this.#request('GET', '/entity/history', {
      query: {
        entityRef,
        from: options.from?.toISOString(),
        to: options.to?.toISOString(),
      },
    });
  }

  async getDefinitions(): Promise<DefinitionsResponse> {
    return this.#request('GET', '/definitions', {});
  }

  async getRollup(request: RollupRequest): Promise<RollupResponse> {
    return this.#request('GET', '/rollup', {
      query: {
        by: request.by,
        scope: request.scope,
        scorecard: request.scorecard,
        depth: request.depth?.toString(),
      },
    });
  }

  async getHeatmap(request: HeatmapRequest): Promise<HeatmapResponse> {
    return this.#request('GET', '/heatmap', {
      query: {
        scorecard: request.scorecard,
        scope: request.scope,
        axis: request.axis,
      },
    });
  }

  async getEntities(request: EntitiesRequest): Promise<EntitiesPageResponse> {
    return this.#request('GET', '/entities', {
      query: entitiesQuery(request),
    });
  }

  async getEntitiesCsv(
    request: Omit<EntitiesRequest, 'cursor' | 'pageSize'>,
  ): Promise<string> {
    const response = await this.#fetch('GET', '/entities', {
      query: { ...entitiesQuery(request), format: 'csv' },
    });
    return response.text();
  }

  async getTrends(request: TrendsRequest): Promise<TrendsResponse> {
    return this.#request('GET', '/trends', {
      query: {
        scorecard: request.scorecard,
        scope: request.scope,
        from: request.from?.toISOString(),
        to: request.to?.toISOString(),
        interval: request.interval,
      },
    });
  }

  async getIndicators(request: IndicatorsRequest): Promise<IndicatorsResponse> {
    return this.#request('GET', '/indicators', {
      query: { scope: request.scope },
    });
  }

  async #request<T>(
    method: 'GET' | 'POST',
    path: string,
    options: {
      query?: Record<string, string | undefined>;
      body?: unknown;
    },
  ): Promise<T> {
    const response = await this.#fetch(method, path, options);
    return (await response.json()) as T;
  }

  async #fetch(
    method: 'GET' | 'POST',
    path: string,
    options: {
      query?: Record<string, string | undefined>;
      body?: unknown;
    },
  ): Promise<Response> {
    const baseUrl = await this.#discoveryApi.getBaseUrl('scorecards');
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) {
        query.set(key, value);
      }
    }
    const search = query.size > 0 ? `?${query}` : '';
    const response = await this.#fetchApi.fetch(`${baseUrl}${path}${search}`, {
      method,
      ...(options.body !== undefined && {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(options.body),
      }),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }
}
