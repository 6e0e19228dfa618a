import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { CheckDefinition } from '@guardrails/plugin-scorecards-common';
import {
  RuleOperator,
  scorecardsDefinitionsExtensionPoint,
} from '@guardrails/plugin-scorecards-node';
import request from 'supertest';
import { scorecardsPlugin } from './plugin';
import { component, group } from './run/testEntities';

const semverAtLeast: RuleOperator<number[]> = {
  name: '$semverAtLeast',
  compile: argument => {
    if (typeof argument !== 'string' || !/^\d+\.\d+\.\d+$/.test(argument)) {
      throw new Error('expected a version such as 2.0.0');
    }
    return argument.split('.').map(Number);
  },
  describe: minimum => `a version of at least ${minimum.join('.')}`,
  evaluate: (value, minimum) => {
    if (value === undefined) return { result: 'fail' };
    const parts = String(value).split('.').map(Number);
    if (parts.length !== 3 || parts.some(Number.isNaN)) {
      return { result: 'error', problem: 'is not a semantic version' };
    }
    const differs = parts.findIndex((p, i) => p !== minimum[i]);
    return differs === -1 || parts[differs] > minimum[differs]
      ? { result: 'pass' }
      : { result: 'fail' };
  },
};

function moduleAdding(rule: CheckDefinition['rule']) {
  return createBackendModule({
    pluginId: 'scorecards',
    moduleId: 'runtime',
    register(env) {
      env.registerInit({
        deps: { definitions: scorecardsDefinitionsExtensionPoint },
        async init({ definitions }) {
          definitions.addOperators(semverAtLeast);
          definitions.addChecks({
            id: 'runtime-supported',
            title: 'Supported runtime',
            description:
              'The service runs on a runtime that gets security fixes.',
            category: 'security',
            severity: 'high',
            rule,
          });
          definitions.addScorecards({
            id: 'runtime',
            title: 'Runtime',
            description: 'Runtimes we support.',
            appliesTo: { kind: 'Component' },
            checks: ['runtime-supported'],
            levels: [{ name: 'Supported', checks: ['runtime-supported'] }],
          });
        },
      });
    },
  });
}

const entities = [
  group('team-checkout'),
  component('modern', {
    owner: 'team-checkout',
    annotations: { 'acme.com/node-version': '22.4.0' },
  }),
  component('ancient', {
    owner: 'team-checkout',
    annotations: { 'acme.com/node-version': '16.20.2' },
  }),
  component('odd', {
    owner: 'team-checkout',
    annotations: { 'acme.com/node-version': 'latest' },
  }),
];

describe('modules extending the scorecards', () => {
  it('evaluate checks and scorecards added in code with their own operators', async () => {
    const { server } = await startTestBackend({
      features: [
        scorecardsPlugin,
        moduleAdding({
          'metadata.annotations.acme.com/node-version': {
            $semverAtLeast: '22.0.0',
          },
        }),
        catalogServiceMock.factory({ entities }),
      ],
    });

    const runtimeCheck = async (name: string) => {
      const res = await request(server)
        .post('/api/scorecards/entity/evaluate')
        .set('Authorization', mockCredentials.user.header())
        .send({ entityRef: `component:default/${name}` });
      expect(res.status).toBe(200);
      const scorecard = res.body.scorecards.find(
        (s: { scorecardId: string }) => s.scorecardId === 'runtime',
      );
      return { scorecard, check: scorecard.checks[0] };
    };

    const modern = await runtimeCheck('modern');
    expect(modern.check.status).toBe('pass');
    expect(modern.scorecard.level).toBe('Supported');

    const ancient = await runtimeCheck('ancient');
    expect(ancient.check.status).toBe('fail');
    expect(ancient.check.explanation).toMatch(/at least 22\.0\.0/);

    const odd = await runtimeCheck('odd');
    expect(odd.check.status).toBe('error');
    expect(odd.check.explanation).toMatch(/not a semantic version/);
  });

  it('stop the start when a rule gives the operator a bad argument', async () => {
    await expect(
      startTestBackend({
        features: [
          scorecardsPlugin,
          moduleAdding({
            'metadata.annotations.acme.com/node-version': {
              $semverAtLeast: 'twenty-two',
            },
          }),
          catalogServiceMock.factory({ entities }),
        ],
      }),
    ).rejects.toThrow(/runtime-supported.*rule.*expected a version/s);
  });
});
