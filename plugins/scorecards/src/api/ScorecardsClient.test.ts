import { ResponseError } from '@backstage/errors';
import { mockApis, registerMswTestHooks } from '@backstage/test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { handMadeIndicators } from '../__testUtils__/handMade';
import {
  backendError,
  recordedHandlers,
  recordings,
  TEST_BASE_URL,
  type Recording,
} from '../__testUtils__/recordings';
import { ScorecardsClient } from './ScorecardsClient';

const server = setupServer();
registerMswTestHooks(server);

const EXEMPLARY = 'component:default/checkout-api';

function clientAnswering(...chosen: Recording[]) {
  server.use(...recordedHandlers(chosen));
  return new ScorecardsClient({
    discoveryApi: mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
    fetchApi: { fetch: (input, init) => fetch(input, init) },
  });
}

async function rejection(promise: Promise<unknown>): Promise<ResponseError> {
  const error = await promise.then(
    () => undefined,
    e => e,
  );
  expect(error).toBeInstanceOf(ResponseError);
  return error as ResponseError;
}

describe('ScorecardsClient, against answers recorded from the backend', () => {
  it("reads an evaluated entity's scorecards", async () => {
    const client = clientAnswering(recordings.entityExemplary);
    const answer = await client.getEntityScorecards(EXEMPLARY);
    expect(answer).toMatchObject({
      entityRef: EXEMPLARY,
      status: 'evaluated',
      evaluatedAt: expect.any(String),
    });
    const [card] = answer.scorecards;
    expect(card).toMatchObject({ level: 'Gold', score: 100 });
    expect(card.levels.map(l => l.name)).toEqual(['Bronze', 'Silver', 'Gold']);
    expect(card.checks.every(c => c.status === 'pass')).toBe(true);
  });

  it('tells "not evaluated yet" from "no scorecard applies"', async () => {
    const client = clientAnswering(
      recordings.entityNotEvaluated,
      recordings.entityNotApplicable,
    );
    expect(await client.getEntityScorecards(EXEMPLARY)).toMatchObject({
      status: 'not-evaluated',
      scorecards: [],
    });
    expect(
      await client.getEntityScorecards('system:default/payments-core'),
    ).toMatchObject({ status: 'not-applicable', scorecards: [] });
  });

  it('turns a 404, a 400 and a 401 into response errors that keep the status and message', async () => {
    const missing = await rejection(
      clientAnswering(recordings.entityNotFound).getEntityScorecards(
        'component:default/no-such-service',
      ),
    );
    expect(missing.response.status).toBe(404);
    expect(missing.body.error.name).toBe('NotFoundError');

    const bad = await rejection(
      clientAnswering(recordings.entityBadRequest).getEntityScorecards(
        'checkout-api',
      ),
    );
    expect(bad.response.status).toBe(400);
    expect(bad.body.error.message).toContain('entityRef');

    const unauthenticated = await rejection(
      clientAnswering(recordings.entityUnauthenticated).getEntityScorecards(
        EXEMPLARY,
      ),
    );
    expect(unauthenticated.response.status).toBe(401);
  });

  it('evaluates an entity on demand with a JSON body', async () => {
    const client = clientAnswering(recordings.evaluateBare);
    const answer = await client.evaluateEntity(
      'component:default/content-service',
    );
    expect(answer.status).toBe('evaluated');
    expect(answer.scorecards[0].level).toBeNull();
  });

  it("reads an entity's history and the definitions", async () => {
    const client = clientAnswering(
      recordings.historyExemplary,
      recordings.definitions,
    );
    const history = await client.getEntityHistory(EXEMPLARY, {
      from: new Date('2026-09-01T00:00:00Z'),
      to: new Date('2026-12-01T00:00:00Z'),
    });
    expect(history.entityRef).toBe(EXEMPLARY);
    expect(history.events.some(e => e.type === 'scorecard')).toBe(true);

    const definitions = await client.getDefinitions();
    expect(definitions.scorecards.map(s => s.id)).toContain(
      'production-readiness',
    );
  });

  it('pages through the drill-down, filters it, and exports the filtered set as CSV', async () => {
    const client = clientAnswering(
      recordings.entitiesAll,
      recordings.entitiesAllPage2,
      recordings.entitiesFailingRunbook,
      recordings.entitiesCsvFailingRunbook,
    );
    const query = { scope: 'all', sort: 'score', pageSize: 25 };
    const first = await client.getEntities(query);
    expect(first.prevCursor).toBeUndefined();
    const second = await client.getEntities({
      ...query,
      cursor: first.nextCursor,
    });
    expect(second.nextCursor).toBeUndefined();
    expect(first.items).toHaveLength(25);
    expect(first.total).toBe(first.items.length + second.items.length);
    const seen = [...first.items, ...second.items].map(i => i.entityRef);
    expect(new Set(seen).size).toBe(first.total);

    const failing = await client.getEntities({
      ...query,
      failingCheck: 'runbook',
    });
    expect(failing.items.every(i => i.failing.includes('runbook'))).toBe(true);
    const csv = await client.getEntitiesCsv({
      scope: 'all',
      sort: 'score',
      failingCheck: 'runbook',
    });
    const [header, ...rows] = csv.trim().split(/\r?\n/);
    expect(header.split(',')[0]).toBe('entityRef');
    expect(rows.map(r => r.split(',')[0])).toEqual(
      failing.items.map(i => i.entityRef),
    );
  });

  it("reads a scope's trend over a window", async () => {
    const client = clientAnswering(recordings.trendsAll);
    const trends = await client.getTrends({
      scope: 'all',
      interval: 'P1D',
      from: new Date('2026-09-01T00:00:00Z'),
      to: new Date('2026-12-01T00:00:00Z'),
    });
    expect(trends.scope).toBe('all');
    expect(trends.points.length).toBeGreaterThan(1);
    expect(trends.points[trends.points.length - 1].entities).toBeGreaterThan(0);
  });

  it("reads a scope's headline indicators, and keeps the backend's error", async () => {
    const asked: string[] = [];
    server.use(
      http.get(`${TEST_BASE_URL}/indicators`, ({ request }) => {
        const url = new URL(request.url);
        asked.push(url.search);
        const scope = url.searchParams.get('scope');
        if (scope === 'group:default/gone') {
          return backendError(
            404,
            'No group group:default/gone in the catalog',
          );
        }
        return HttpResponse.json(handMadeIndicators(scope ?? 'all'));
      }),
    );
    const client = clientAnswering();
    const answer = await client.getIndicators({
      scope: 'group:default/commerce',
    });
    expect(answer.scope).toBe('group:default/commerce');
    expect(answer.indicators.map(i => i.id)).toEqual(
      handMadeIndicators().indicators.map(i => i.id),
    );
    await client.getIndicators({});
    const missing = await rejection(
      client.getIndicators({ scope: 'group:default/gone' }),
    );
    expect(missing.response.status).toBe(404);
    expect(missing.body.error.message).toContain('group:default/gone');
    expect(asked).toEqual([
      '?scope=group%3Adefault%2Fcommerce',
      '',
      '?scope=group%3Adefault%2Fgone',
    ]);
  });
});
