import type {
  EntityHistoryResponse,
  EntityScorecardsResponse,
} from '@guardrails/plugin-scorecards-common';
import { http, HttpResponse, type JsonBodyType } from 'msw';
import definitions from './recorded/definitions.json';
import entityAdvisory from './recorded/entity-advisory.json';
import entityBadRequest from './recorded/entity-bad-request.json';
import entityBare from './recorded/entity-bare.json';
import entityExemplary from './recorded/entity-exemplary.json';
import entityLibrary from './recorded/entity-library.json';
import entityMalformed from './recorded/entity-malformed.json';
import entityNotApplicable from './recorded/entity-not-applicable.json';
import entityNotEvaluated from './recorded/entity-not-evaluated.json';
import entityNotFound from './recorded/entity-not-found.json';
import entityUnauthenticated from './recorded/entity-unauthenticated.json';
import entityWaived from './recorded/entity-waived.json';
import evaluateAdvisory from './recorded/evaluate-advisory.json';
import evaluateBare from './recorded/evaluate-bare.json';
import evaluateExemplary from './recorded/evaluate-exemplary.json';
import evaluateLibrary from './recorded/evaluate-library.json';
import evaluateMalformed from './recorded/evaluate-malformed.json';
import evaluateWaived from './recorded/evaluate-waived.json';
import historyExemplary from './recorded/history-exemplary.json';
import rollupChecksDepartment from './recorded/rollup-checks-department.json';
import rollupChecksDomain from './recorded/rollup-checks-domain.json';
import rollupChecksSystem from './recorded/rollup-checks-system.json';
import rollupChecksTeam from './recorded/rollup-checks-team.json';
import rollupGroupsAll from './recorded/rollup-groups-all.json';
import rollupChecksAll from './recorded/rollup-checks-all.json';
import rollupGroupsDepartment from './recorded/rollup-groups-department.json';
import rollupGroupsOptions from './recorded/rollup-groups-options.json';
import rollupSystemsOptions from './recorded/rollup-systems-options.json';
import rollupDomainsOptions from './recorded/rollup-domains-options.json';
import entitiesAll from './recorded/entities-all.json';
import entitiesAllPage2 from './recorded/entities-all-page-2.json';
import entitiesFailingRunbook from './recorded/entities-failing-runbook.json';
import entitiesNoMatch from './recorded/entities-no-match.json';
import entitiesCsvFailingRunbook from './recorded/entities-csv-failing-runbook.json';
import trendsAll from './recorded/trends-all.json';
import indicatorsAll from './recorded/indicators-all.json';
import heatmapCheckAll from './recorded/heatmap-check-all.json';
import heatmapCategoryAll from './recorded/heatmap-category-all.json';
import entitiesCommerceFailingRunbook from './recorded/entities-commerce-failing-runbook.json';

/**
 * One answer of the real backend on the example catalog, as `scripts/record-fixtures.mjs`
 * recorded it.
 */
export interface Recording {
  request: {
    method: string;
    path: string;
    query?: Record<string, string>;
    body?: unknown;
  };
  response: { status: number; body: unknown };
}

/** Every recording, by name. */
export const recordings = {
  definitions,
  entityAdvisory,
  entityBadRequest,
  entityBare,
  entityExemplary,
  entityLibrary,
  entityMalformed,
  entityNotApplicable,
  entityNotEvaluated,
  entityNotFound,
  entityUnauthenticated,
  entityWaived,
  evaluateAdvisory,
  evaluateBare,
  evaluateExemplary,
  evaluateLibrary,
  evaluateMalformed,
  evaluateWaived,
  historyExemplary,
  rollupChecksDepartment,
  rollupChecksDomain,
  rollupChecksSystem,
  rollupChecksTeam,
  rollupGroupsAll,
  rollupChecksAll,
  rollupGroupsDepartment,
  rollupGroupsOptions,
  rollupSystemsOptions,
  rollupDomainsOptions,
  entitiesAll,
  entitiesAllPage2,
  entitiesFailingRunbook,
  entitiesNoMatch,
  entitiesCsvFailingRunbook,
  trendsAll,
  indicatorsAll,
  heatmapCheckAll,
  heatmapCategoryAll,
  entitiesCommerceFailingRunbook,
} satisfies Record<string, Recording>;

/** The recorded body of an answer, typed as the API's response. */
export function recordedBody(
  name: keyof typeof recordings,
): EntityScorecardsResponse {
  return recordings[name].response.body as unknown as EntityScorecardsResponse;
}

/** The recorded history of the exemplary service. */
export function recordedHistory(): EntityHistoryResponse {
  return recordings.historyExemplary.response
    .body as unknown as EntityHistoryResponse;
}

/** The base URL the tests' discovery API answers for the scorecards backend. */
export const TEST_BASE_URL = 'http://localhost:7007/api/scorecards';

function sameQuery(recorded: Record<string, string> | undefined, url: URL) {
  const expected = new URLSearchParams(recorded ?? {});
  const actual = new URLSearchParams(url.search);
  // A history or trend request names its own window; the recording answers any window.
  actual.delete('from');
  actual.delete('to');
  expected.sort();
  actual.sort();
  return expected.toString() === actual.toString();
}

/**
 * msw handlers that answer as the backend did when recorded: a request matches a recording by
 * method, path, query and body (several recordings answer the same request in different states,
 * so each test chooses its own). One that matches none fails the test with what was asked.
 */
export function recordedHandlers(chosen: Recording[], baseUrl = TEST_BASE_URL) {
  const paths = [...new Set(chosen.map(r => r.request.path))];
  return paths.flatMap(path =>
    (['get', 'post'] as const).map(method =>
      http[method](`${baseUrl}${path}`, async ({ request }) => {
        const url = new URL(request.url);
        const body =
          method === 'post' ? JSON.stringify(await request.json()) : undefined;
        const match = chosen.find(
          r =>
            r.request.path === path &&
            r.request.method.toLowerCase() === method &&
            sameQuery(r.request.query, url) &&
            (body === undefined || JSON.stringify(r.request.body) === body),
        );
        if (!match) {
          return HttpResponse.json(
            {
              error: {
                name: 'Error',
                message: `No recording for ${request.method} ${url.pathname}${
                  url.search
                } ${body ?? ''}`,
              },
            },
            { status: 500 },
          );
        }
        const answer = match.response.body;
        if (typeof answer === 'string') {
          return new HttpResponse(answer, {
            status: match.response.status,
            headers: { 'Content-Type': 'text/csv; charset=utf-8' },
          });
        }
        return HttpResponse.json(answer as any, {
          status: match.response.status,
        });
      }),
    ),
  );
}

/** An error as the backend answers one, for the states that no recording holds. */
export function backendError(status: number, message: string) {
  return HttpResponse.json(
    {
      error: { name: 'Error', message },
      request: { method: 'GET', url: '/entity' },
      response: { statusCode: status },
    },
    { status },
  );
}

/**
 * A handler for `GET <path>` whose first request waits until `answer()` and then fails with a
 * 503, and whose later requests get `body`: for a part's loading, error and retry states. It
 * keeps the query of every request.
 */
export function failingOnce(path: string, body: () => JsonBodyType) {
  let answer = () => {};
  const answered = new Promise<void>(resolve => {
    answer = resolve;
  });
  let failures = 1;
  const requests: Array<Record<string, string>> = [];
  const handler = http.get(`${TEST_BASE_URL}${path}`, async ({ request }) => {
    requests.push(Object.fromEntries(new URL(request.url).searchParams));
    if (failures-- > 0) {
      await answered;
      return backendError(503, 'The database is not reachable');
    }
    return HttpResponse.json(body());
  });
  return { handler, answer: () => answer(), requests: () => requests };
}
