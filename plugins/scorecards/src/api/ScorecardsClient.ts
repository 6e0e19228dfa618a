import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  DefinitionsResponse,
  EntityHistoryResponse,
  EntityScorecardsResponse,
  RollupResponse,
} from '@guardrails/plugin-scorecards-common';
import type { RollupRequest, ScorecardsApi } from './ScorecardsApi';

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
      },
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
    return (await response.json()) as T;
  }
}
