import { Entity } from '@backstage/catalog-model';
import { CheckResult, Fact } from '@guardrails/plugin-scorecards-common';
import { ScorecardEngine, createCatalogIndex } from '../engine';
import { BUILTIN_CHECKS, BUILTIN_SCORECARD } from './builtin';

const NOW = new Date('2026-11-26T12:00:00Z');
const engine = new ScorecardEngine({
  checks: [...BUILTIN_CHECKS],
  scorecards: [BUILTIN_SCORECARD],
});
const catalog = createCatalogIndex([
  { kind: 'Group', metadata: { name: 'team-payments', namespace: 'default' } },
  { kind: 'User', metadata: { name: 'jdoe', namespace: 'default' } },
]);

function service(
  annotations: Record<string, string>,
  extra: {
    links?: Entity['metadata']['links'];
    owner?: string;
    type?: string;
  } = {},
): Entity {
  const owner = extra.owner ?? 'group:default/team-payments';
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'checkout',
      namespace: 'default',
      annotations,
      links: extra.links ?? [],
    },
    spec: { type: extra.type ?? 'service', lifecycle: 'production', owner },
    relations: [
      { type: 'ownedBy', targetRef: owner },
      { type: 'partOf', targetRef: 'system:default/payments' },
    ],
  };
}

const EXEMPLARY: Record<string, string> = {
  'pagerduty.com/integration-key': 'a1b2c3d4e5f6',
  'sonarqube.org/project-key': 'acme_checkout',
  'guardrails.dev/slo-target': '99.9',
  'guardrails.dev/slo-doc': 'https://wiki.example.com/slo/checkout',
  'grafana/dashboard-selector': "tags @> 'checkout'",
  'backstage.io/techdocs-ref': 'dir:.',
  'guardrails.dev/security-contact': 'security-payments@acme.example',
  'guardrails.dev/security-tier': '1',
  'guardrails.dev/runbook-reviewed': '2026-10-02',
  'guardrails.dev/postmortems': 'https://wiki.example.com/postmortems/checkout',
  'guardrails.dev/security-reviewed': '2026-05-14',
  'guardrails.dev/rollout-strategy': 'canary',
};
const RUNBOOK = {
  url: 'https://wiki.example.com/runbooks/checkout',
  title: 'Runbook',
  type: 'runbook',
};
const CHAOS: Fact = {
  entityRef: 'component:default/checkout',
  name: 'chaos',
  value: { lastExperimentAt: '2026-11-20T10:00:00Z' },
  observedAt: '2026-11-20T10:00:00Z',
  freshFor: 'P30D',
};

function evaluate(entity: Entity, facts: Fact[] = []) {
  const evaluation = engine.evaluate({ entity, facts, catalog, now: NOW });
  const byId = Object.fromEntries(
    evaluation.checks.map(c => [c.checkId, c]),
  ) as Record<string, CheckResult>;
  return { evaluation, byId, card: evaluation.scorecards[0] };
}

describe('the built-in Production readiness scorecard', () => {
  it('has 14 checks in three cumulative levels, with guidance on every check', () => {
    expect(BUILTIN_CHECKS).toHaveLength(14);
    expect(BUILTIN_SCORECARD.levels.map(l => l.name)).toEqual([
      'Bronze',
      'Silver',
      'Gold',
    ]);
    for (const check of BUILTIN_CHECKS) {
      expect(check.description.length).toBeGreaterThan(40);
      expect(check.remediation).toContain('```yaml');
    }
    const levelled = BUILTIN_SCORECARD.levels.flatMap(l => l.checks);
    expect(
      BUILTIN_SCORECARD.checks.filter(id => !levelled.includes(id)),
    ).toEqual(['chaos-practice']);
  });

  it('gives an exemplary service Gold and 100', () => {
    const { byId, card } = evaluate(service(EXEMPLARY, { links: [RUNBOOK] }), [
      CHAOS,
    ]);
    expect(Object.values(byId).filter(r => r.status !== 'pass')).toEqual([]);
    expect(card).toMatchObject({ level: 'Gold', levelIndex: 2, score: 100 });
    expect(card.nextLevel).toBeUndefined();
    expect(byId['owner-exists'].explanation).toBe(
      'Owned by group:default/team-payments, which exists.',
    );
    expect(byId['chaos-practice'].explanation).toBe(
      'Fact chaos.lastExperimentAt is "2026-11-20T10:00:00Z", which is 6 days old.',
    );
  });

  it('tells a bare service what is missing, in plain sentences', () => {
    const { byId, card } = evaluate(service({}));
    expect(card).toMatchObject({
      level: null,
      nextLevel: {
        name: 'Bronze',
        blockedBy: ['on-call', 'security-scanning'],
      },
    });
    // Only owner-exists (critical, 10) passes, out of 2 critical, 5 high, 5 medium and 1 low.
    expect(card.score).toBe(
      Math.round((100 * 10) / (2 * 10 + 5 * 5 + 5 * 3 + 1)),
    );
    expect(byId['on-call'].explanation).toBe(
      'None of the annotations pagerduty.com/integration-key, pagerduty.com/service-id, opsgenie.com/component-selector, opsgenie.com/team is set.',
    );
    expect(byId.runbook.explanation).toBe(
      'There is no runbook link: no link of type runbook, nor one without a type whose icon or title names a runbook.',
    );
    expect(byId.dashboard.explanation).toBe(
      'None of the annotations grafana/dashboard-selector, grafana/overview-dashboard is set and there is no dashboard link: no link of type dashboard, nor one without a type whose icon or title names a dashboard.',
    );
    expect(byId['slo-defined'].explanation).toBe(
      'Annotation guardrails.dev/slo-target is not set, expected a number greater than 0 and at most 100.',
    );
    expect(byId['chaos-practice']).toMatchObject({
      status: 'warn',
      enforced: false,
      explanation:
        'Fact chaos.lastExperimentAt is not set and annotation guardrails.dev/chaos-last-run is not set; expected one of them to be a date within the last 90 days. This check is advisory.',
    });
  });

  it('makes malformed values errors that explain what was found', () => {
    const { byId } = evaluate(
      service({
        ...EXEMPLARY,
        'guardrails.dev/slo-target': '99.9%',
        'guardrails.dev/runbook-reviewed': 'Oct 2nd',
        'guardrails.dev/security-reviewed': '2027-05-14',
      }),
    );
    expect(byId['slo-defined']).toMatchObject({
      status: 'error',
      observed: '99.9%',
      explanation:
        'Annotation guardrails.dev/slo-target is "99.9%", expected a number greater than 0 and at most 100.',
    });
    expect(byId['runbook-reviewed'].status).toBe('error');
    expect(byId['security-review']).toMatchObject({
      status: 'error',
      explanation:
        'Annotation guardrails.dev/security-reviewed is "2027-05-14", which is in the future; expected a date within the last 365 days.',
    });
  });

  it('fails values that are well-formed but wrong', () => {
    const { byId } = evaluate(
      service(
        {
          ...EXEMPLARY,
          'guardrails.dev/slo-target': '0',
          'guardrails.dev/security-contact': 'bob',
          'guardrails.dev/security-tier': '4',
          'guardrails.dev/runbook-reviewed': '2025-01-10',
          'guardrails.dev/rollout-strategy': 'big-bang',
        },
        { owner: 'user:default/jdoe' },
      ),
    );
    expect(byId['owner-exists'].explanation).toBe(
      'Owned by user:default/jdoe, which is not a Group.',
    );
    expect(byId['slo-defined'].status).toBe('fail');
    expect(byId['security-contact'].explanation).toBe(
      'Annotation guardrails.dev/security-contact is "bob", expected an e-mail address or a Slack channel (#name).',
    );
    expect(byId['security-tier'].explanation).toBe(
      'Annotation guardrails.dev/security-tier is "4", expected one of 1, 2, 3.',
    );
    expect(byId['runbook-reviewed'].explanation).toBe(
      'Annotation guardrails.dev/runbook-reviewed is "2025-01-10", which is 685 days old; expected a date within the last 180 days.',
    );
    expect(byId['progressive-delivery'].status).toBe('fail');
  });

  it('accepts every alternative the spec lists', () => {
    const { byId } = evaluate(
      service(
        {
          'opsgenie.com/team': 'payments',
          'snyk.io/org-name': 'acme',
          'guardrails.dev/security-contact': '#sec-payments',
          'guardrails.dev/chaos-last-run': '2026-11-02',
        },
        {
          links: [
            {
              url: 'https://grafana.example.com/d/abc',
              title: 'Dashboard',
              type: 'dashboard',
            },
            {
              url: 'https://wiki.example.com/pm',
              title: 'Postmortems',
              type: 'postmortems',
            },
          ],
        },
      ),
    );
    for (const id of [
      'on-call',
      'security-scanning',
      'security-contact',
      'dashboard',
      'postmortems',
      'chaos-practice',
    ]) {
      expect(byId[id].status).toBe('pass');
    }
  });

  it('applies the service checks only to services and websites', () => {
    const { byId } = evaluate(service({}, { type: 'library' }));
    expect(byId['on-call'].status).toBe('not-applicable');
    expect(byId.techdocs.status).toBe('fail');
    const website = evaluate(service({}, { type: 'website' })).byId;
    expect(website['on-call'].status).toBe('fail');
  });

  it('waives chaos practice with the annotation from the remediation', () => {
    const { byId } = evaluate(
      service({
        'guardrails.dev/waive.chaos-practice':
          '2027-03-31: Batch job without user traffic; chaos tooling arrives in Q1',
      }),
    );
    expect(byId['chaos-practice'].status).toBe('waived');
  });

  describe('never passes a blank value', () => {
    it.each([
      ['an empty', ''],
      ['a whitespace-only', '  \t '],
    ])(
      'fails on-call for %s PagerDuty integration key, saying it is blank',
      (_what, value) => {
        const { byId, card } = evaluate(
          service({ ...EXEMPLARY, 'pagerduty.com/integration-key': value }),
        );
        expect(byId['on-call']).toMatchObject({
          status: 'fail',
          explanation:
            'None of the annotations pagerduty.com/service-id, opsgenie.com/component-selector, opsgenie.com/team is set and annotation pagerduty.com/integration-key is "", expected a value that is not blank.',
        });
        expect(card.level).toBeNull();
      },
    );

    it.each([
      ['security-scanning', 'sonarqube.org/project-key'],
      ['slo-defined', 'guardrails.dev/slo-doc'],
      ['dashboard', 'grafana/dashboard-selector'],
      ['techdocs', 'backstage.io/techdocs-ref'],
      ['postmortems', 'guardrails.dev/postmortems'],
    ])('fails %s when %s is blank', (checkId, key) => {
      const annotations: Record<string, string> = { ...EXEMPLARY, [key]: ' ' };
      delete annotations['snyk.io/org-name'];
      expect(evaluate(service(annotations)).byId[checkId].status).toBe('fail');
    });

    it('fails a link whose url is blank', () => {
      const { byId } = evaluate(
        service(EXEMPLARY, { links: [{ ...RUNBOOK, url: ' ' }] }),
      );
      expect(byId.runbook.status).toBe('fail');
    });
  });

  it('compares values trimmed', () => {
    const { byId } = evaluate(
      service(
        {
          ...EXEMPLARY,
          'guardrails.dev/security-tier': ' 1 ',
          'guardrails.dev/rollout-strategy': 'canary\n',
          'guardrails.dev/security-contact': ' #sec-payments ',
          'guardrails.dev/runbook-reviewed': ' 2026-10-02',
        },
        { links: [{ ...RUNBOOK, type: ' runbook ' }] },
      ),
    );
    for (const id of [
      'security-tier',
      'progressive-delivery',
      'security-contact',
      'runbook-reviewed',
      'runbook',
    ]) {
      expect(byId[id]).toMatchObject({ status: 'pass' });
    }
    expect(byId['security-tier'].observed).toBe('1');
  });

  describe('counts a link as a runbook or dashboard', () => {
    const withLinks = (links: Entity['metadata']['links']) => {
      const annotations: Record<string, string> = { ...EXEMPLARY };
      delete annotations['grafana/dashboard-selector'];
      delete annotations['guardrails.dev/postmortems'];
      return evaluate(service(annotations, { links })).byId;
    };

    it('when its type says so', () => {
      const byId = withLinks([
        RUNBOOK,
        { url: 'https://grafana.example.com/d/abc', type: 'Dashboard' },
      ]);
      expect(byId.runbook).toMatchObject({
        status: 'pass',
        observed: RUNBOOK.url,
        explanation: `There is a runbook link (${RUNBOOK.url}).`,
      });
      expect(byId.dashboard.status).toBe('pass');
    });

    it('when it has no type, by its icon or a title that names it', () => {
      const byId = withLinks([
        { url: 'https://wiki.example.com/ops', title: 'On-call runbooks' },
        { url: 'https://grafana.example.com/d/abc', icon: 'dashboard' },
        { url: 'https://wiki.example.com/pm', title: 'Postmortem' },
      ]);
      expect(byId.runbook.status).toBe('pass');
      expect(byId.dashboard).toMatchObject({
        status: 'pass',
        observed: 'https://grafana.example.com/d/abc',
      });
      expect(byId.postmortems.status).toBe('pass');
    });

    it('not when its type says something else, whatever its title', () => {
      const byId = withLinks([
        { url: 'https://wiki.example.com/a', title: 'Runbook', type: 'docs' },
        { url: 'https://wiki.example.com/b', title: 'Dashboards-to-be' },
        { url: 'https://wiki.example.com/c', title: 'Rundashboard' },
      ]);
      expect(byId.runbook).toMatchObject({
        status: 'fail',
        explanation:
          'There is no runbook link: no link of type runbook, nor one without a type whose icon or title names a runbook.',
      });
      expect(byId.dashboard.status).toBe('pass');
      const none = withLinks([
        { url: 'https://wiki.example.com/c', title: 'Rundashboard' },
      ]);
      expect(none.dashboard.status).toBe('fail');
    });
  });

  it('does not evaluate entities that are not Components', () => {
    const api = { ...service(EXEMPLARY), kind: 'API' };
    expect(evaluate(api).evaluation.scorecards).toEqual([]);
  });
});
