import { Entity } from '@backstage/catalog-model';
import {
  CheckDefinition,
  ScorecardDefinition,
} from '@guardrails/plugin-scorecards-common';
import type { RuleOperator } from '@guardrails/plugin-scorecards-node';
import { createCatalogIndex } from './catalogIndex';
import { ScorecardEngine } from './ScorecardEngine';

const NOW = new Date('2026-11-26T12:00:00Z');
const catalog = createCatalogIndex([
  { kind: 'Group', metadata: { name: 'team-payments', namespace: 'default' } },
]);

function component(
  annotations: Record<string, string> = {},
  extra: Partial<Entity> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'checkout', namespace: 'default', annotations },
    spec: { type: 'service', owner: 'team-payments' },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/team-payments' }],
    ...extra,
  };
}

function check(
  id: string,
  rule: CheckDefinition['rule'],
  extra: Partial<CheckDefinition> = {},
): CheckDefinition {
  return {
    id,
    title: id,
    description: id,
    category: 'reliability',
    severity: 'high',
    rule,
    ...extra,
  };
}

const exists = (key: string) => ({
  [`metadata.annotations.${key}`]: { $exists: true },
});

function engineFor(
  checks: CheckDefinition[],
  scorecard: Partial<ScorecardDefinition> = {},
  operators?: RuleOperator<unknown>[],
  waiverMaxDuration?: string,
) {
  return new ScorecardEngine(
    {
      checks,
      scorecards: [
        {
          id: 'card',
          title: 'Card',
          description: 'A scorecard',
          checks: checks.map(c => c.id),
          levels: [{ name: 'Only', checks: [] }],
          ...scorecard,
        },
      ],
    },
    { operators, waiverMaxDuration },
  );
}

function evaluate(
  engine: ScorecardEngine,
  entity: Entity,
  extra: Partial<Parameters<ScorecardEngine['evaluate']>[0]> = {},
) {
  return engine.evaluate({ entity, catalog, now: NOW, ...extra });
}

describe('ScorecardEngine statuses', () => {
  it('passes and fails with an explanation, the observed value and the expectation', () => {
    const engine = engineFor([
      check('techdocs', exists('backstage.io/techdocs-ref')),
    ]);
    const passing = evaluate(
      engine,
      component({ 'backstage.io/techdocs-ref': 'dir:.' }),
    ).checks[0];
    expect(passing).toEqual({
      checkId: 'techdocs',
      status: 'pass',
      enforced: true,
      observed: 'dir:.',
      expected: 'annotation backstage.io/techdocs-ref is set',
      explanation: 'Annotation backstage.io/techdocs-ref is "dir:.".',
    });
    const failing = evaluate(engine, component()).checks[0];
    expect(failing).toEqual({
      checkId: 'techdocs',
      status: 'fail',
      enforced: true,
      expected: 'annotation backstage.io/techdocs-ref is set',
      explanation: 'Annotation backstage.io/techdocs-ref is not set.',
    });
  });

  it('warns instead of failing for a warning-severity check', () => {
    const engine = engineFor([
      check('advice', exists('x.io/y'), { severity: 'warning' }),
    ]);
    const result = evaluate(engine, component()).checks[0];
    expect(result.status).toBe('warn');
    expect(result.enforced).toBe(false);
    expect(result.explanation).toBe(
      'Annotation x.io/y is not set. This check is advisory.',
    );
  });

  it('warns before enforcedFrom and fails from that date on', () => {
    const engine = engineFor([
      check('soon', exists('x.io/y'), { enforcedFrom: '2027-01-15' }),
    ]);
    const before = evaluate(engine, component()).checks[0];
    expect(before).toMatchObject({ status: 'warn', enforced: false });
    expect(before.explanation).toBe(
      'Annotation x.io/y is not set. Not enforced until 2027-01-15.',
    );
    const after = evaluate(engine, component(), {
      now: new Date('2027-01-15T00:00:00Z'),
    }).checks[0];
    expect(after).toMatchObject({ status: 'fail', enforced: true });
  });

  it('is not applicable when the check appliesTo does not match', () => {
    const engine = engineFor([
      check('svc', exists('x.io/y'), {
        appliesTo: { 'spec.type': { $in: ['service', 'website'] } },
      }),
    ]);
    const library = component({}, { spec: { type: 'library', owner: 'x' } });
    expect(evaluate(engine, library).checks[0]).toEqual({
      checkId: 'svc',
      status: 'not-applicable',
      enforced: true,
      explanation:
        'Not applicable: this check is for entities where field spec.type is one of "service", "website".',
    });
  });

  it('leaves out scorecards whose appliesTo does not match', () => {
    const engine = engineFor([check('a', exists('x.io/y'))], {
      appliesTo: { kind: 'Component' },
    });
    const api = { ...component(), kind: 'API' };
    expect(evaluate(engine, api)).toEqual({
      entityRef: 'api:default/checkout',
      checks: [],
      scorecards: [],
    });
  });

  it('is an error for a malformed date, a non-numeric target and a future date', () => {
    const engine = engineFor([
      check('reviewed', {
        'metadata.annotations.guardrails.dev/runbook-reviewed': {
          $within: 'P180D',
        },
      }),
      check('slo', {
        'metadata.annotations.guardrails.dev/slo-target': { $gt: 0, $lte: 100 },
      }),
      check('security', {
        'metadata.annotations.guardrails.dev/security-reviewed': {
          $within: 'P365D',
        },
      }),
    ]);
    const [reviewed, slo, security] = evaluate(
      engine,
      component({
        'guardrails.dev/runbook-reviewed': 'last spring',
        'guardrails.dev/slo-target': 'high',
        'guardrails.dev/security-reviewed': '2027-05-14',
      }),
    ).checks;
    expect(reviewed).toMatchObject({
      status: 'error',
      observed: 'last spring',
      explanation:
        'Annotation guardrails.dev/runbook-reviewed is "last spring", which is not an ISO date (YYYY-MM-DD); expected a date within the last 180 days.',
    });
    expect(slo).toMatchObject({
      status: 'error',
      observed: 'high',
      explanation:
        'Annotation guardrails.dev/slo-target is "high", expected a number greater than 0 and at most 100.',
    });
    expect(security).toMatchObject({
      status: 'error',
      explanation:
        'Annotation guardrails.dev/security-reviewed is "2027-05-14", which is in the future; expected a date within the last 365 days.',
    });
  });

  it('never turns a missing value into an error', () => {
    const engine = engineFor([
      check('slo', {
        'metadata.annotations.guardrails.dev/slo-target': { $gt: 0 },
      }),
    ]);
    expect(evaluate(engine, component()).checks[0].status).toBe('fail');
  });

  it('keeps an unenforced error as error, but neither scores nor blocks it', () => {
    const engine = engineFor(
      [
        check(
          'slo',
          { 'metadata.annotations.guardrails.dev/slo-target': { $gt: 0 } },
          { enforcedFrom: '2027-06-01' },
        ),
        check('docs', exists('backstage.io/techdocs-ref')),
      ],
      { levels: [{ name: 'Bronze', checks: ['slo', 'docs'] }] },
    );
    const result = evaluate(
      engine,
      component({
        'guardrails.dev/slo-target': 'high',
        'backstage.io/techdocs-ref': 'dir:.',
      }),
    );
    expect(result.checks[0]).toMatchObject({
      status: 'error',
      enforced: false,
    });
    expect(result.checks[0].explanation).toMatch(
      /Not enforced until 2027-06-01\.$/,
    );
    expect(result.scorecards[0]).toMatchObject({ score: 100, level: 'Bronze' });
  });
});

/** The problems of a component that waives one check with an annotation. */
function problemsOfWaiving(engine: ScorecardEngine, checkId: string) {
  const annotation = `guardrails.dev/waive.${checkId}`;
  const result = evaluate(
    engine,
    component({ [annotation]: '2027-03-31: for a while' }),
  );
  return result.waiverProblems?.map(p => {
    expect(p).toEqual({ checkId, annotation, problem: expect.any(String) });
    return p.problem;
  });
}

describe('ScorecardEngine waivers', () => {
  const engine = engineFor([
    check('on-call', exists('pagerduty.com/integration-key')),
  ]);

  it('waives a failing check with a current annotation waiver', () => {
    const result = evaluate(
      engine,
      component({
        'guardrails.dev/waive.on-call':
          '2027-03-31: Batch job without user traffic',
      }),
    ).checks[0];
    expect(result.status).toBe('waived');
    expect(result.waiver).toEqual({
      applied: true,
      waiver: {
        entityRef: 'component:default/checkout',
        checkId: 'on-call',
        reason: 'Batch job without user traffic',
        expiresAt: '2027-03-31T23:59:59.999Z',
        grantedBy: 'group:default/team-payments',
        source: 'annotation',
      },
    });
    expect(result.explanation).toBe(
      'Waived until 2027-03-31 by group:default/team-payments (Batch job without user traffic): annotation pagerduty.com/integration-key is not set.',
    );
  });

  it('waives an error too', () => {
    const erroring = engineFor([
      check('slo', { 'metadata.annotations.x.io/target': { $gt: 0 } }),
    ]);
    const result = evaluate(
      erroring,
      component({
        'x.io/target': 'high',
        'guardrails.dev/waive.slo': '2027-03-31: migrating',
      }),
    ).checks[0];
    expect(result.status).toBe('waived');
  });

  it('does not count an expired waiver and says so', () => {
    const result = evaluate(
      engine,
      component({
        'guardrails.dev/waive.on-call': '2026-01-31: until the migration',
      }),
    ).checks[0];
    expect(result.status).toBe('fail');
    expect(result.waiver).toMatchObject({
      applied: false,
      problem: 'the waiver expired on 2026-01-31',
    });
    expect(result.explanation).toBe(
      'Annotation pagerduty.com/integration-key is not set. Waiver not applied: the waiver expired on 2026-01-31.',
    );
  });

  it('does not count a malformed waiver and says why', () => {
    const result = evaluate(
      engine,
      component({ 'guardrails.dev/waive.on-call': 'soon' }),
    ).checks[0];
    expect(result.status).toBe('fail');
    expect(result.waiver?.applied).toBe(false);
    expect(result.waiver?.problem).toMatch(
      /^the waiver is malformed \(no expiry date\)/,
    );
    expect(result.explanation).toContain(
      'Waiver not applied: the waiver is malformed',
    );
  });

  it('applies waivers given by the API, and ignores them once expired', () => {
    const waiver = {
      id: 'w1',
      entityRef: 'component:default/checkout',
      checkId: 'on-call',
      reason: 'Decommissioned next month',
      expiresAt: '2026-12-31T00:00:00Z',
      grantedBy: 'user:default/jane',
      source: 'api' as const,
    };
    expect(
      evaluate(engine, component(), { waivers: [waiver] }).checks[0].status,
    ).toBe('waived');
    expect(
      evaluate(engine, component(), {
        waivers: [waiver],
        now: new Date('2027-01-02T00:00:00Z'),
      }).checks[0].status,
    ).toBe('fail');
  });

  it('says a waiver is not needed when the check passes', () => {
    const result = evaluate(
      engine,
      component({
        'pagerduty.com/integration-key': 'abc',
        'guardrails.dev/waive.on-call': '2027-03-31: no pager yet',
      }),
    ).checks[0];
    expect(result.status).toBe('pass');
    expect(result.waiver).toMatchObject({ applied: false });
    expect(result.explanation).toBe(
      'Annotation pagerduty.com/integration-key is "abc". The waiver until 2027-03-31 is not needed: the check passes.',
    );
  });

  describe('with the longest a waiver may last', () => {
    const capped = engineFor(
      [check('on-call', exists('pagerduty.com/integration-key'))],
      {},
      undefined,
      'P1Y',
    );

    it('does not count an annotation waiver that lasts longer, and says why', () => {
      const result = evaluate(
        capped,
        component({ 'guardrails.dev/waive.on-call': '2126-01-01: forever' }),
      );
      expect(result.scorecards[0].score).toBe(0);
      expect(result.checks[0]).toMatchObject({
        status: 'fail',
        waiver: {
          applied: false,
          waiver: expect.objectContaining({
            expiresAt: '2126-01-01T23:59:59.999Z',
          }),
          problem:
            'the waiver lasts until 2126-01-01, longer than a waiver may (a year, so until 2027-11-26 at the latest)',
        },
      });
      expect(result.checks[0].explanation).toBe(
        'Annotation pagerduty.com/integration-key is not set. Waiver not applied: the waiver lasts until 2126-01-01, longer than a waiver may (a year, so until 2027-11-26 at the latest).',
      );
    });

    it('counts one within it, and an API waiver as well', () => {
      expect(
        evaluate(
          capped,
          component({
            'guardrails.dev/waive.on-call': '2027-11-01: migrating',
          }),
        ).checks[0].status,
      ).toBe('waived');
      const beyond = {
        entityRef: 'component:default/checkout',
        checkId: 'on-call',
        reason: 'granted before the limit was lowered',
        expiresAt: '2028-06-01T00:00:00Z',
        grantedBy: 'user:default/jane',
        source: 'api' as const,
      };
      expect(
        evaluate(capped, component(), { waivers: [beyond] }).checks[0].status,
      ).toBe('fail');
    });
  });

  it('reports waivers of checks that no scorecard of the entity includes', () => {
    const twoCards = new ScorecardEngine({
      checks: [
        check('on-call', exists('pagerduty.com/integration-key')),
        check('api-docs', exists('acme.com/openapi')),
      ],
      scorecards: [
        {
          id: 'ops',
          title: 'Ops',
          description: 'Ops',
          checks: ['on-call'],
          levels: [{ name: 'Only', checks: [] }],
        },
        {
          id: 'apis',
          title: 'APIs',
          description: 'APIs',
          appliesTo: { kind: 'API' },
          checks: ['api-docs'],
          levels: [{ name: 'Only', checks: [] }],
        },
      ],
    });
    expect(problemsOfWaiving(twoCards, 'api-docs')).toEqual([
      "The waiver names the check 'api-docs', which no scorecard of this entity includes.",
    ]);
  });

  it('reports waivers that name no known check', () => {
    expect(problemsOfWaiving(engine, 'on-cal')).toEqual([
      "The waiver names the check 'on-cal', which does not exist.",
    ]);
  });
});

describe('ScorecardEngine score and levels', () => {
  const checks = [
    check('crit', exists('a.io/crit'), { severity: 'critical' }),
    check('high', exists('a.io/high'), { severity: 'high' }),
    check('med', exists('a.io/med'), { severity: 'medium' }),
    check('low', exists('a.io/low'), { severity: 'low' }),
    check('warn', exists('a.io/warn'), { severity: 'warning' }),
  ];
  const engine = engineFor(checks, {
    levels: [
      { name: 'Bronze', checks: ['crit'] },
      { name: 'Silver', checks: ['high', 'warn'] },
      { name: 'Gold', checks: ['med', 'low'] },
    ],
  });
  const set = (...keys: string[]) =>
    Object.fromEntries(keys.map(k => [`a.io/${k}`, 'yes']));

  it('weights the score by severity, ignoring warning checks', () => {
    // critical 10 + medium 3 pass out of 10 + 5 + 3 + 1 = 19.
    const result = evaluate(engine, component(set('crit', 'med')));
    expect(result.scorecards[0].score).toBe(Math.round((100 * 13) / 19));
    expect(result.scorecards[0].counts).toEqual({
      error: 0,
      fail: 2,
      warn: 1,
      waived: 0,
      pass: 2,
      'not-applicable': 0,
    });
  });

  it('counts waived checks as passing in the score', () => {
    const result = evaluate(
      engine,
      component({
        ...set('crit', 'high', 'med'),
        'guardrails.dev/waive.low': '2027-01-01: later',
      }),
    );
    expect(result.scorecards[0].score).toBe(100);
  });

  it('scores 100 when no check counts', () => {
    const onlyAdvice = engineFor([
      check('w', exists('a.io/w'), { severity: 'warning' }),
    ]);
    expect(evaluate(onlyAdvice, component()).scorecards[0].score).toBe(100);
  });

  it('reaches levels cumulatively and names what blocks the next one', () => {
    const none = evaluate(engine, component()).scorecards[0];
    expect(none).toMatchObject({
      level: null,
      levelIndex: -1,
      nextLevel: { name: 'Bronze', blockedBy: ['crit'] },
    });
    const bronze = evaluate(engine, component(set('crit', 'med', 'low')))
      .scorecards[0];
    expect(bronze).toMatchObject({
      level: 'Bronze',
      levelIndex: 0,
      nextLevel: { name: 'Silver', blockedBy: ['high'] },
    });
    // Gold's checks pass, but Silver is missing: levels are cumulative.
    const gold = evaluate(engine, component(set('crit', 'high', 'med', 'low')))
      .scorecards[0];
    expect(gold).toMatchObject({ level: 'Gold', levelIndex: 2 });
    expect(gold.nextLevel).toBeUndefined();
  });

  it('does not let a warn, a waived or a not-applicable check block a level', () => {
    const scoped = engineFor(
      [
        check('crit', exists('a.io/crit'), { severity: 'critical' }),
        check('svc', exists('a.io/svc'), {
          appliesTo: { 'spec.type': 'website' },
        }),
        check('later', exists('a.io/later'), { enforcedFrom: '2030-01-01' }),
      ],
      { levels: [{ name: 'Bronze', checks: ['crit', 'svc', 'later'] }] },
    );
    const result = evaluate(
      scoped,
      component({ 'guardrails.dev/waive.crit': '2027-01-01: migrating' }),
    ).scorecards[0];
    expect(result.level).toBe('Bronze');
  });

  it('is blocked by an error', () => {
    const erroring = engineFor(
      [check('num', { 'metadata.annotations.a.io/n': { $gte: 1 } })],
      { levels: [{ name: 'Bronze', checks: ['num'] }] },
    );
    const result = evaluate(erroring, component({ 'a.io/n': 'many' }))
      .scorecards[0];
    expect(result).toMatchObject({
      level: null,
      score: 0,
      nextLevel: { name: 'Bronze', blockedBy: ['num'] },
    });
  });
});

describe('ScorecardEngine inputs', () => {
  it('reads fresh facts and treats stale facts as absent, saying so', () => {
    const engine = engineFor([
      check('chaos', { 'facts.chaos.lastExperimentAt': { $within: 'P90D' } }),
    ]);
    const fact = {
      entityRef: 'component:default/checkout',
      name: 'chaos',
      value: { lastExperimentAt: '2026-11-20T10:00:00Z' },
      observedAt: '2026-11-20T10:00:00Z',
      freshFor: 'P30D',
    };
    expect(
      evaluate(engine, component(), { facts: [fact] }).checks[0].status,
    ).toBe('pass');
    const stale = evaluate(engine, component(), {
      facts: [fact],
      now: new Date('2027-01-15T00:00:00Z'),
    }).checks[0];
    expect(stale.status).toBe('fail');
    expect(stale.explanation).toBe(
      'Fact chaos.lastExperimentAt is stale (observed 2026-11-20T10:00:00Z, fresh for 30 days), expected a date within the last 90 days.',
    );
  });

  it('reads the latest observation when a fact was pushed twice', () => {
    const engine = engineFor([
      check('chaos', { 'facts.chaos.lastExperimentAt': { $within: 'P90D' } }),
    ]);
    const observed = (at: string) => ({
      entityRef: 'component:default/checkout',
      name: 'chaos',
      value: { lastExperimentAt: at },
      observedAt: at,
    });
    const older = observed('2025-01-01T00:00:00Z');
    const newer = observed('2026-11-20T10:00:00Z');
    for (const facts of [
      [older, newer],
      [newer, older],
    ]) {
      expect(evaluate(engine, component(), { facts }).checks[0].status).toBe(
        'pass',
      );
    }
  });

  it('resolves $entity against the catalog index', () => {
    const engine = engineFor([
      check('owner', {
        relations: {
          $contains: {
            type: 'ownedBy',
            targetRef: { $entity: { kind: 'Group' } },
          },
        },
      }),
    ]);
    expect(evaluate(engine, component()).checks[0].explanation).toBe(
      'Owned by group:default/team-payments, which exists.',
    );
    const ghost = component(
      {},
      {
        relations: [{ type: 'ownedBy', targetRef: 'group:default/ghost' }],
      },
    );
    expect(evaluate(engine, ghost).checks[0]).toMatchObject({
      status: 'fail',
      explanation: 'Owned by group:default/ghost, which is not in the catalog.',
    });
  });

  it('uses custom operators from modules', () => {
    const even: RuleOperator<number> = {
      name: '$multipleOf',
      compile(argument) {
        if (typeof argument !== 'number') {
          throw new Error('expects a number');
        }
        return argument;
      },
      describe: n => `a multiple of ${n}`,
      evaluate(value, n) {
        if (value === undefined) {
          return { result: 'fail' };
        }
        const number = Number(value);
        if (Number.isNaN(number)) {
          return { result: 'error', problem: 'is not a number' };
        }
        return { result: number % n === 0 ? 'pass' : 'fail' };
      },
    };
    const engine = engineFor(
      [
        check('replicas', {
          'metadata.annotations.a.io/replicas': { $multipleOf: 2 },
        }),
      ],
      {},
      [even],
    );
    expect(
      evaluate(engine, component({ 'a.io/replicas': '4' })).checks[0].status,
    ).toBe('pass');
    expect(
      evaluate(engine, component({ 'a.io/replicas': 'x' })).checks[0],
    ).toMatchObject({
      status: 'error',
      explanation:
        'Annotation a.io/replicas is "x", which is not a number; expected a multiple of 2.',
    });
  });

  it('never throws on strange entity data', () => {
    const engine = engineFor([
      check('a', exists('x.io/y')),
      check('b', { 'metadata.links': { $contains: { type: 'runbook' } } }),
      check('c', { relations: { $contains: { targetRef: { $entity: {} } } } }),
    ]);
    const strange = {
      apiVersion: 'v1',
      kind: 'Component',
      metadata: {
        name: 'odd',
        annotations: ['not', 'an', 'object'],
        links: 'nope',
      },
      relations: [null, 3, { targetRef: 7 }],
    } as unknown as Entity;
    expect(() => evaluate(engine, strange)).not.toThrow();
  });
});

describe('ScorecardEngine definitions', () => {
  it('throws at construction for an invalid rule, naming the check and field', () => {
    expect(() =>
      engineFor([check('slo', { 'metadata.annotations.x': { $regex: 'y' } })]),
    ).toThrow(
      /^Invalid scorecard definitions: check 'slo' field 'rule': unknown operator '\$regex' at metadata\.annotations\.x \(known: \$exists, \$in, \$contains, \$hasPrefix, \$notBlank, \$matches/,
    );
  });

  it('has a fingerprint that changes with the definitions and not with key order', () => {
    const a = engineFor([check('x', exists('a.io/b'))]);
    const b = engineFor([check('x', exists('a.io/b'))]);
    const reordered = new ScorecardEngine({
      checks: [{ ...check('x', exists('a.io/b')) }].map(c => ({
        rule: c.rule,
        severity: c.severity,
        category: c.category,
        description: c.description,
        title: c.title,
        id: c.id,
      })),
      scorecards: a.definitions.scorecards,
    });
    const changed = engineFor([
      check('x', exists('a.io/b'), { severity: 'low' }),
    ]);
    expect(a.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(reordered.fingerprint).toBe(a.fingerprint);
    expect(changed.fingerprint).not.toBe(a.fingerprint);
  });

  it('lists the catalog fields the rules read', () => {
    const engine = engineFor([
      check(
        'a',
        { 'metadata.labels.tier': 'gold' },
        { appliesTo: { 'spec.lifecycle': 'production' } },
      ),
      check('b', { 'spec.profile.email': { $exists: true } }),
      check('c', { 'facts.chaos.lastExperimentAt': { $within: 'P90D' } }),
    ]);
    expect(engine.entityFields()).toEqual([
      'kind',
      'metadata.annotations',
      'metadata.labels',
      'metadata.links',
      'metadata.name',
      'metadata.namespace',
      'metadata.title',
      'relations',
      'spec.lifecycle',
      'spec.owner',
      'spec.profile',
      'spec.system',
      'spec.type',
    ]);
  });
});
