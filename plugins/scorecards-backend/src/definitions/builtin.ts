import {
  CheckDefinition,
  ScorecardDefinition,
} from '@guardrails/plugin-scorecards-common';

const SERVICE_OR_WEBSITE = { 'spec.type': { $in: ['service', 'website'] } };

const annotation = (key: string) => `metadata.annotations.${key}`;

/** The annotation holds a value; a blank one (`''`, `'  '`) does not count. */
const filled = (key: string) => ({ [annotation(key)]: { $notBlank: true } });

/**
 * The checks of the built-in "Production readiness" scorecard. They read what the catalog
 * already says, through the community's well-known annotations where they exist and the
 * `guardrails.dev/` prefix where none does.
 */
export const BUILTIN_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'owner-exists',
    title: 'Owned by a team that exists',
    description:
      'Someone must answer for the service when it breaks. The owner in spec.owner must be a Group that exists in the catalog, not a person and not a typo.',
    category: 'ownership',
    severity: 'critical',
    rule: {
      relations: {
        $contains: {
          type: 'ownedBy',
          targetRef: { $entity: { kind: 'Group' } },
        },
      },
    },
    remediation: [
      'Set `spec.owner` in `catalog-info.yaml` to a team (a Group entity) that exists in the catalog:',
      '',
      '```yaml',
      'spec:',
      '  owner: group:default/team-payments',
      '```',
      '',
      'If the team is missing from the catalog, ask the platform team to add it to the organisation data.',
    ].join('\n'),
    links: [
      {
        url: 'https://backstage.io/docs/features/software-catalog/descriptor-format#specowner-required',
        title: 'Backstage: spec.owner',
      },
    ],
  },
  {
    id: 'on-call',
    title: 'Alerts routed to on-call',
    description:
      'Alerts must reach a person who is on call. The entity names its PagerDuty or Opsgenie service so that incidents reach the right rotation.',
    category: 'reliability',
    severity: 'critical',
    appliesTo: SERVICE_OR_WEBSITE,
    rule: {
      $any: [
        filled('pagerduty.com/integration-key'),
        filled('pagerduty.com/service-id'),
        filled('opsgenie.com/component-selector'),
        filled('opsgenie.com/team'),
      ],
    },
    remediation: [
      "Route the service's alerts to an on-call rotation, then add one of these annotations to `catalog-info.yaml`. For PagerDuty:",
      '',
      '```yaml',
      'metadata:',
      '  annotations:',
      '    pagerduty.com/integration-key: a1b2c3d4e5f6',
      '    # or: pagerduty.com/service-id: PX12345',
      '```',
      '',
      'For Opsgenie:',
      '',
      '```yaml',
      'metadata:',
      '  annotations:',
      '    opsgenie.com/component-selector: \'tag:"service:checkout"\'',
      '    # or: opsgenie.com/team: payments',
      '```',
    ].join('\n'),
    links: [
      {
        url: 'https://sre.google/sre-book/being-on-call/',
        title: 'Site Reliability Engineering: Being on-call',
      },
    ],
  },
  {
    id: 'security-scanning',
    title: 'Code is scanned for vulnerabilities',
    description:
      'Every change should be scanned for vulnerable dependencies and code issues. The entity names its SonarQube project or Snyk organisation.',
    category: 'security',
    severity: 'high',
    rule: {
      $any: [filled('sonarqube.org/project-key'), filled('snyk.io/org-name')],
    },
    remediation: [
      'Enable SonarQube or Snyk for the repository, then add its identifier to `catalog-info.yaml`:',
      '',
      '```yaml',
      'metadata:',
      '  annotations:',
      '    sonarqube.org/project-key: acme_checkout',
      '    # or, for Snyk:',
      '    # snyk.io/org-name: acme',
      '    # snyk.io/targets: acme/checkout   (optional)',
      '```',
    ].join('\n'),
  },
  {
    id: 'slo-defined',
    title: 'Service-level objective defined',
    description:
      'A service-level objective says how reliable the service must be and tells the team when to slow down and fix things. The entity states its availability target (a percentage) and links the document that defines it.',
    category: 'reliability',
    severity: 'high',
    appliesTo: SERVICE_OR_WEBSITE,
    rule: {
      $all: [
        { [annotation('guardrails.dev/slo-target')]: { $gt: 0, $lte: 100 } },
        filled('guardrails.dev/slo-doc'),
      ],
    },
    remediation: [
      "Agree an SLO with the service's consumers, write it down, then add the target (a percentage, without the % sign) and the document to `catalog-info.yaml`:",
      '',
      '```yaml',
      'metadata:',
      '  annotations:',
      '    guardrails.dev/slo-target: "99.9"',
      '    guardrails.dev/slo-doc: https://wiki.example.com/slo/checkout',
      '```',
    ].join('\n'),
    links: [
      {
        url: 'https://sre.google/sre-book/service-level-objectives/',
        title: 'Site Reliability Engineering: Service Level Objectives',
      },
    ],
  },
  {
    id: 'runbook',
    title: 'Runbook linked',
    description:
      'Whoever is paged at 3 a.m. needs written steps to diagnose and mitigate. The entity links its runbook.',
    category: 'reliability',
    severity: 'high',
    appliesTo: SERVICE_OR_WEBSITE,
    rule: { 'metadata.links': { $link: 'runbook' } },
    remediation: [
      'Write a runbook (how to tell the service is unhealthy, and what to do about it), then link it in `catalog-info.yaml`:',
      '',
      '```yaml',
      'metadata:',
      '  links:',
      '    - url: https://wiki.example.com/runbooks/checkout',
      '      title: Runbook',
      '      type: runbook',
      '```',
    ].join('\n'),
    links: [
      {
        url: 'https://backstage.io/docs/features/software-catalog/descriptor-format#links-optional',
        title: 'Backstage: metadata.links',
      },
    ],
  },
  {
    id: 'dashboard',
    title: 'Dashboard available',
    description:
      'When something goes wrong, the team needs one place to see how the service behaves. The entity names its Grafana dashboards or links a dashboard.',
    category: 'observability',
    severity: 'high',
    appliesTo: SERVICE_OR_WEBSITE,
    rule: {
      $any: [
        filled('grafana/dashboard-selector'),
        filled('grafana/overview-dashboard'),
        { 'metadata.links': { $link: 'dashboard' } },
      ],
    },
    remediation: [
      'Add a Grafana annotation, or link any dashboard, in `catalog-info.yaml`:',
      '',
      '```yaml',
      'metadata:',
      '  annotations:',
      '    grafana/dashboard-selector: "tags @> \'checkout\'"',
      '    # or: grafana/overview-dashboard: https://grafana.example.com/d/abc/checkout',
      '  links:',
      '    - url: https://grafana.example.com/d/abc',
      '      title: Dashboard',
      '      type: dashboard',
      '```',
    ].join('\n'),
  },
  {
    id: 'techdocs',
    title: 'Documentation published',
    description:
      'Documentation next to the code is found and kept up to date. The entity publishes its docs with TechDocs.',
    category: 'documentation',
    severity: 'medium',
    rule: filled('backstage.io/techdocs-ref'),
    remediation: [
      'Add an `mkdocs.yml` and a `docs/` folder to the repository, then point TechDocs at them in `catalog-info.yaml`:',
      '',
      '```yaml',
      'metadata:',
      '  annotations:',
      '    backstage.io/techdocs-ref: dir:.',
      '```',
    ].join('\n'),
    links: [
      {
        url: 'https://backstage.io/docs/features/techdocs/creating-and-publishing',
        title: 'Backstage: creating and publishing TechDocs',
      },
    ],
  },
  {
    id: 'security-contact',
    title: 'Security contact named',
    description:
      'When a vulnerability is reported, the security team must know whom to reach. The entity names an e-mail address or a Slack channel for security matters.',
    category: 'security',
    severity: 'medium',
    rule: {
      [annotation('guardrails.dev/security-contact')]: {
        $matches: {
          pattern: '^(?:[^@\\s]+@[^@\\s]+\\.[^@\\s]+|#[a-z0-9][a-z0-9._-]*)$',
          flags: 'i',
          description: 'an e-mail address or a Slack channel (#name)',
        },
      },
    },
    remediation: [
      'Add an e-mail address or a Slack channel to `catalog-info.yaml`:',
      '',
      '```yaml',
      'metadata:',
      '  annotations:',
      '    guardrails.dev/security-contact: security-payments@acme.example',
      '    # or: guardrails.dev/security-contact: "#sec-payments"',
      '```',
      '',
      'Quote a Slack channel: in YAML an unquoted `#` starts a comment.',
    ].join('\n'),
  },
  {
    id: 'security-tier',
    title: 'Security tier classified',
    description:
      'The security tier says how sensitive the data and the exposure are (1 = most sensitive, 3 = least), which decides the controls the service needs.',
    category: 'security',
    severity: 'medium',
    rule: { [annotation('guardrails.dev/security-tier')]: { $in: [1, 2, 3] } },
    remediation: [
      'Classify the service with the security team, then record the tier (1 = most sensitive, 3 = least) in `catalog-info.yaml`:',
      '',
      '```yaml',
      'metadata:',
      '  annotations:',
      '    guardrails.dev/security-tier: "1"',
      '```',
    ].join('\n'),
  },
  {
    id: 'runbook-reviewed',
    title: 'Runbook reviewed in the last 180 days',
    description:
      'A runbook that nobody has read since the last re-architecture misleads the person on call. The entity records when its runbook was last reviewed.',
    category: 'reliability',
    severity: 'medium',
    appliesTo: SERVICE_OR_WEBSITE,
    rule: {
      [annotation('guardrails.dev/runbook-reviewed')]: { $within: 'P180D' },
    },
    remediation: [
      'Walk through the runbook with the team, fix what is out of date, then record the date of the review (YYYY-MM-DD) in `catalog-info.yaml`:',
      '',
      '```yaml',
      'metadata:',
      '  annotations:',
      '    guardrails.dev/runbook-reviewed: "2026-10-02"',
      '```',
    ].join('\n'),
  },
  {
    id: 'postmortems',
    title: 'Postmortems practised',
    description:
      'Teams that write blameless postmortems learn from incidents instead of repeating them. The entity links where its postmortems are kept.',
    category: 'reliability',
    severity: 'medium',
    appliesTo: SERVICE_OR_WEBSITE,
    rule: {
      $any: [
        filled('guardrails.dev/postmortems'),
        { 'metadata.links': { $link: 'postmortems' } },
      ],
    },
    remediation: [
      'Keep postmortems in one place and link it in `catalog-info.yaml`, with an annotation or a link:',
      '',
      '```yaml',
      'metadata:',
      '  annotations:',
      '    guardrails.dev/postmortems: https://wiki.example.com/postmortems/checkout',
      '  # or:',
      '  links:',
      '    - url: https://wiki.example.com/postmortems/checkout',
      '      title: Postmortems',
      '      type: postmortems',
      '```',
    ].join('\n'),
    links: [
      {
        url: 'https://sre.google/sre-book/postmortem-culture/',
        title: 'Site Reliability Engineering: Postmortem Culture',
      },
    ],
  },
  {
    id: 'security-review',
    title: 'Security review in the last year',
    description:
      'Threats and the service both change. A security review at least once a year keeps the threat model current. The entity records when its last review took place.',
    category: 'security',
    severity: 'high',
    rule: {
      [annotation('guardrails.dev/security-reviewed')]: { $within: 'P365D' },
    },
    remediation: [
      'Book a security review with the security team, then record its date (YYYY-MM-DD) in `catalog-info.yaml`:',
      '',
      '```yaml',
      'metadata:',
      '  annotations:',
      '    guardrails.dev/security-reviewed: "2026-05-14"',
      '```',
    ].join('\n'),
  },
  {
    id: 'progressive-delivery',
    title: 'Progressive delivery',
    description:
      'Releasing to a small share of traffic first limits the damage of a bad change. The entity states its rollout strategy: canary, blue-green or progressive.',
    category: 'delivery',
    severity: 'low',
    appliesTo: SERVICE_OR_WEBSITE,
    rule: {
      [annotation('guardrails.dev/rollout-strategy')]: {
        $in: ['canary', 'blue-green', 'progressive'],
      },
    },
    remediation: [
      'Deploy with a canary, blue-green or progressive rollout, then say so in `catalog-info.yaml`:',
      '',
      '```yaml',
      'metadata:',
      '  annotations:',
      '    guardrails.dev/rollout-strategy: canary',
      '```',
    ].join('\n'),
    links: [
      {
        url: 'https://sre.google/workbook/canarying-releases/',
        title: 'The Site Reliability Workbook: Canarying Releases',
      },
    ],
  },
  {
    id: 'chaos-practice',
    title: 'Chaos experiment in the last 90 days',
    description:
      'Injecting failures on purpose shows whether the service degrades the way the team expects. This advisory check looks for a chaos experiment in the last 90 days, reported by the chaos tooling or recorded by the team.',
    category: 'reliability',
    severity: 'warning',
    appliesTo: SERVICE_OR_WEBSITE,
    rule: {
      $any: [
        { 'facts.chaos.lastExperimentAt': { $within: 'P90D' } },
        { [annotation('guardrails.dev/chaos-last-run')]: { $within: 'P90D' } },
      ],
    },
    remediation: [
      'Run a chaos experiment (for example, kill an instance or add latency to a dependency) and watch how the service copes. The chaos tooling can report it as the fact `chaos` (`{ "lastExperimentAt": "2026-11-20T10:00:00Z" }`), or record the date in `catalog-info.yaml`:',
      '',
      '```yaml',
      'metadata:',
      '  annotations:',
      '    guardrails.dev/chaos-last-run: "2026-11-02"',
      '```',
      '',
      'If chaos testing does not fit the service yet, waive the check with a reason and an end date:',
      '',
      '```yaml',
      'metadata:',
      '  annotations:',
      '    guardrails.dev/waive.chaos-practice: "2027-03-31: Batch job without user traffic"',
      '```',
    ].join('\n'),
    links: [
      {
        url: 'https://principlesofchaos.org/',
        title: 'Principles of Chaos Engineering',
      },
    ],
  },
];

/**
 * The built-in "Production readiness" scorecard: Bronze, Silver and Gold, cumulative.
 */
export const BUILTIN_SCORECARD: ScorecardDefinition = {
  id: 'production-readiness',
  title: 'Production readiness',
  description:
    'The guardrails a service needs before it carries production traffic: an owning team, on-call, security, service-level objectives, runbooks, dashboards, documentation, incident learning and safe delivery.',
  appliesTo: { kind: 'Component' },
  checks: BUILTIN_CHECKS.map(check => check.id),
  levels: [
    {
      name: 'Bronze',
      checks: ['owner-exists', 'on-call', 'security-scanning'],
    },
    {
      name: 'Silver',
      checks: [
        'slo-defined',
        'runbook',
        'dashboard',
        'techdocs',
        'security-contact',
        'security-tier',
      ],
    },
    {
      name: 'Gold',
      checks: [
        'runbook-reviewed',
        'postmortems',
        'security-review',
        'progressive-delivery',
      ],
    },
  ],
};
