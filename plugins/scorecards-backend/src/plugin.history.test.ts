import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ScorecardsHistorySource,
  scorecardsHistoryExtensionPoint,
} from '@guardrails/plugin-scorecards-node';
import request from 'supertest';
import { scorecardsPlugin } from './plugin';
import { component, group } from './run/testEntities';

const DAY = 86_400_000;
const daysAgo = (days: number) =>
  new Date(Date.now() - days * DAY).toISOString();
const CHECKOUT = 'component:default/checkout';

function moduleWith(...sources: ScorecardsHistorySource[]) {
  return createBackendModule({
    pluginId: 'scorecards',
    moduleId: 'history',
    register(env) {
      env.registerInit({
        deps: { history: scorecardsHistoryExtensionPoint },
        async init({ history }) {
          sources.forEach(source => history.addHistorySource(source));
        },
      });
    },
  });
}

const oldTool: ScorecardsHistorySource = {
  id: 'old-tool',
  read: async () => ({
    events: [
      {
        type: 'scorecard',
        entityRef: CHECKOUT,
        scorecardId: 'production-readiness',
        level: 'Gold',
        score: 100,
        at: daysAgo(20),
      },
      {
        type: 'check',
        entityRef: CHECKOUT,
        checkId: 'on-call',
        status: 'pass',
        at: daysAgo(20),
      },
    ],
    facts: [
      {
        entityRef: CHECKOUT,
        name: 'mttr-minutes',
        value: 42,
        observedAt: daysAgo(2),
      },
    ],
  }),
};

describe('history sources of modules', () => {
  it('are imported at start: entity history and facts show them, a failing source is logged and left out', async () => {
    const logger = mockServices.logger.mock();
    const { server } = await startTestBackend({
      features: [
        scorecardsPlugin,
        moduleWith(oldTool, {
          id: 'broken',
          read: async () => {
            throw new Error('the export is gone');
          },
        }),
        catalogServiceMock.factory({
          entities: [
            group('team-checkout'),
            component('checkout', { owner: 'team-checkout' }),
          ],
        }),
        logger.factory,
      ],
    });

    const history = await request(server)
      .get(`/api/scorecards/entity/history?entityRef=${CHECKOUT}`)
      .set('Authorization', mockCredentials.user.header());
    expect(history.status).toBe(200);
    expect(history.body.events).toEqual([
      expect.objectContaining({ type: 'check', checkId: 'on-call' }),
      expect.objectContaining({ type: 'scorecard', score: 100 }),
    ]);

    const facts = await request(server)
      .get(`/api/scorecards/facts?entityRef=${CHECKOUT}`)
      .set('Authorization', mockCredentials.user.header());
    expect(facts.body.facts).toEqual([
      expect.objectContaining({
        name: 'mttr-minutes',
        value: 42,
        source: 'old-tool',
      }),
    ]);
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringMatching(/history source 'broken'.*the export is gone/),
    );
  });

  it('must not share an id', async () => {
    await expect(
      startTestBackend({
        features: [
          scorecardsPlugin,
          moduleWith(oldTool, oldTool),
          catalogServiceMock.factory({ entities: [] }),
        ],
      }),
    ).rejects.toThrow(/History source 'old-tool' was added twice/);
  });
});
