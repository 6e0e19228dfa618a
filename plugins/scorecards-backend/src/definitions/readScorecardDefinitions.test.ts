import { ConfigReader } from '@backstage/config';
import { CheckDefinition } from '@guardrails/plugin-scorecards-common';
import type { RuleOperator } from '@guardrails/plugin-scorecards-node';
import { BUILTIN_CHECKS } from './builtin';
import { readScorecardDefinitions } from './readScorecardDefinitions';

const read = (scorecards: unknown, options = {}) =>
  readScorecardDefinitions(new ConfigReader({ scorecards } as any), options);
const readError = (scorecards: unknown, options = {}) => {
  try {
    read(scorecards, options);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be rejected');
};

const NEW_CHECK = {
  title: 'Has a README',
  description: 'Readers start there.',
  category: 'documentation',
  severity: 'low',
  rule: { 'metadata.annotations.acme.com/readme': { $exists: true } },
};

describe('readScorecardDefinitions', () => {
  it('gives the built-in scorecard with no configuration', () => {
    const definitions = readScorecardDefinitions(new ConfigReader({}));
    expect(definitions.checks.map(c => c.id)).toEqual(
      BUILTIN_CHECKS.map(c => c.id),
    );
    expect(definitions.scorecards.map(s => s.id)).toEqual([
      'production-readiness',
    ]);
  });

  it('overrides only the fields given for a built-in check', () => {
    const definitions = read({
      checks: {
        'chaos-practice': { severity: 'low', enforcedFrom: '2027-01-15' },
      },
    });
    const chaos = definitions.checks.find(c => c.id === 'chaos-practice')!;
    const builtin = BUILTIN_CHECKS.find(c => c.id === 'chaos-practice')!;
    expect(chaos).toEqual({
      ...builtin,
      severity: 'low',
      enforcedFrom: '2027-01-15',
    });
  });

  it('adds new checks and scorecards', () => {
    const definitions = read({
      checks: { readme: NEW_CHECK },
      scorecards: {
        docs: {
          title: 'Docs',
          description: 'Documentation standards',
          appliesTo: { kind: 'Component' },
          checks: ['readme', 'techdocs'],
          levels: [{ name: 'Documented', checks: ['readme', 'techdocs'] }],
        },
      },
    });
    expect(definitions.checks.find(c => c.id === 'readme')).toEqual({
      id: 'readme',
      ...NEW_CHECK,
    });
    expect(definitions.scorecards.map(s => s.id)).toEqual([
      'production-readiness',
      'docs',
    ]);
  });

  it('can change the built-in scorecard, e.g. to add a check to it', () => {
    const builtinIds = BUILTIN_CHECKS.map(c => c.id);
    const definitions = read({
      checks: { readme: NEW_CHECK },
      scorecards: {
        'production-readiness': { checks: [...builtinIds, 'readme'] },
      },
    });
    const card = definitions.scorecards[0];
    expect(card.checks).toContain('readme');
    expect(card.levels.map(l => l.name)).toEqual(['Bronze', 'Silver', 'Gold']);
  });

  it('disables built-in checks, removing them from the scorecard and its levels', () => {
    const definitions = read({
      builtins: { disabledChecks: ['chaos-practice', 'progressive-delivery'] },
    });
    const ids = definitions.checks.map(c => c.id);
    expect(ids).not.toContain('chaos-practice');
    expect(ids).not.toContain('progressive-delivery');
    const card = definitions.scorecards[0];
    expect(card.checks).not.toContain('progressive-delivery');
    expect(card.levels[2].checks).toEqual([
      'runbook-reviewed',
      'postmortems',
      'security-review',
    ]);
  });

  it('turns the built-ins off entirely', () => {
    const definitions = read({
      builtins: { enabled: false },
      checks: { readme: NEW_CHECK },
    });
    expect(definitions.checks.map(c => c.id)).toEqual(['readme']);
    expect(definitions.scorecards).toEqual([]);
  });

  it('takes checks, scorecards and operators from modules', () => {
    const inCode: CheckDefinition = {
      id: 'semver',
      title: 'Current framework',
      description: 'The service framework is at least version 2.',
      category: 'delivery',
      severity: 'medium',
      rule: { 'metadata.annotations.acme.com/framework': { $majorAtLeast: 2 } },
    };
    const operator: RuleOperator<number> = {
      name: '$majorAtLeast',
      compile: argument => Number(argument),
      describe: major => `version ${major} or later`,
      evaluate: () => ({ result: 'pass' }),
    };
    const definitions = read(
      { checks: { semver: { severity: 'high' } } },
      {
        checks: [inCode],
        scorecards: [
          {
            id: 'platform',
            title: 'Platform',
            description: 'Platform standards',
            checks: ['semver'],
            levels: [{ name: 'Current', checks: ['semver'] }],
          },
        ],
        operators: [operator],
      },
    );
    expect(definitions.checks.find(c => c.id === 'semver')?.severity).toBe(
      'high',
    );
    expect(definitions.scorecards.map(s => s.id)).toContain('platform');
    expect(readError({}, { checks: [inCode] })).toBe(
      "Invalid scorecard definitions added in code: check 'semver' field 'rule': unknown operator '$majorAtLeast' at metadata.annotations.acme.com/framework (known: $exists, $in, $contains, $hasPrefix, $notBlank, $matches, $gt, $gte, $lt, $lte, $within, $entity, $link)",
    );
  });

  describe('rejects invalid configuration, naming the check or scorecard and the field', () => {
    it.each<[string, unknown, string]>([
      [
        'an unknown severity',
        { checks: { 'on-call': { severity: 'urgent' } } },
        `Invalid scorecards config: check 'on-call' field 'severity': unknown severity "urgent" (known: critical, high, medium, low, warning)`,
      ],
      [
        'an unknown operator',
        {
          checks: {
            'slo-defined': {
              rule: {
                'metadata.annotations.guardrails.dev/slo-target': {
                  $regex: '^9',
                },
              },
            },
          },
        },
        "Invalid scorecards config: check 'slo-defined' field 'rule': unknown operator '$regex' at metadata.annotations.guardrails.dev/slo-target (known: $exists, $in, $contains, $hasPrefix, $notBlank, $matches, $gt, $gte, $lt, $lte, $within, $entity, $link)",
      ],
      [
        'a bad regular expression',
        {
          checks: {
            'security-contact': {
              rule: { 'metadata.annotations.x': { $matches: '([' } },
            },
          },
        },
        "Invalid scorecards config: check 'security-contact' field 'rule': operator '$matches' at metadata.annotations.x has a bad regular expression /([/: Invalid regular expression: /([/: Unterminated character class",
      ],
      [
        'a bad duration',
        {
          checks: {
            'runbook-reviewed': {
              rule: { 'metadata.annotations.x': { $within: '6 months' } },
            },
          },
        },
        "Invalid scorecards config: check 'runbook-reviewed' field 'rule': operator '$within' at metadata.annotations.x: '6 months' is not an ISO-8601 duration (examples: P180D, P6M, P1Y, PT12H)",
      ],
      [
        'a bad enforcedFrom date',
        { checks: { techdocs: { enforcedFrom: 'next year' } } },
        "Invalid scorecards config: check 'techdocs' field 'enforcedFrom': 'next year' is not an ISO date such as 2027-01-15",
      ],
      [
        'an appliesTo outside the library grammar',
        {
          checks: {
            techdocs: { appliesTo: { 'spec.type': { $matches: 'svc' } } },
          },
        },
        "Invalid scorecards config: check 'techdocs' field 'appliesTo': unknown operator '$matches' at spec.type (known: $exists, $in, $contains, $hasPrefix)",
      ],
      [
        'a new check without its required fields',
        { checks: { readme: { title: 'Has a README' } } },
        "Invalid scorecards config: check 'readme' field 'description': required for a new check (title, description, category, severity, rule are)",
      ],
      [
        'an unknown field',
        { checks: { techdocs: { severty: 'low' } } },
        "Invalid scorecards config: check 'techdocs' field 'severty': unknown field (known: title, description, category, severity, appliesTo, rule, remediation, links, enforcedFrom)",
      ],
      [
        'an id that is not kebab-case',
        { checks: { Read_Me: NEW_CHECK } },
        "Invalid scorecards config: check 'Read_Me' field 'id': must be kebab-case (lower-case letters, digits and dashes) and at most 57 characters",
      ],
      [
        'a scorecard naming a check that does not exist',
        {
          scorecards: {
            'production-readiness': { checks: ['on-call', 'pager'] },
          },
        },
        "Invalid scorecards config: scorecard 'production-readiness' field 'checks[1]': unknown check 'pager'",
      ],
      [
        'a scorecard naming a disabled check',
        {
          builtins: { disabledChecks: ['techdocs'] },
          scorecards: {
            docs: {
              title: 'Docs',
              description: 'Docs',
              checks: ['techdocs'],
              levels: [{ name: 'One', checks: [] }],
            },
          },
        },
        "Invalid scorecards config: scorecard 'docs' field 'checks[0]': unknown check 'techdocs' (disabled in scorecards.builtins.disabledChecks)",
      ],
      [
        'a level check that is not in the scorecard',
        {
          scorecards: {
            'production-readiness': {
              levels: [
                {
                  name: 'Bronze',
                  checks: ['owner-exists', 'techdocs', 'nope'],
                },
              ],
            },
          },
        },
        "Invalid scorecards config: scorecard 'production-readiness' field 'levels[0].checks[2]': unknown check 'nope'",
      ],
      [
        'a level check missing from the scorecard checks',
        {
          checks: { readme: NEW_CHECK },
          scorecards: {
            docs: {
              title: 'Docs',
              description: 'Docs',
              checks: ['techdocs'],
              levels: [{ name: 'One', checks: ['readme'] }],
            },
          },
        },
        "Invalid scorecards config: scorecard 'docs' field 'levels[0].checks[0]': check 'readme' is not in the scorecard's checks (add it to 'checks')",
      ],
      [
        'a scorecard without levels',
        { scorecards: { 'production-readiness': { levels: [] } } },
        "Invalid scorecards config: scorecard 'production-readiness' field 'levels': a scorecard needs at least one level",
      ],
      [
        'an unknown built-in to disable',
        { builtins: { disabledChecks: ['pager'] } },
        "Invalid scorecards config: field 'scorecards.builtins.disabledChecks': 'pager' is not a built-in check (built-in checks: owner-exists, on-call, security-scanning, slo-defined, runbook, dashboard, techdocs, security-contact, security-tier, runbook-reviewed, postmortems, security-review, progressive-delivery, chaos-practice)",
      ],
      [
        'configuring a disabled built-in check',
        {
          builtins: { disabledChecks: ['techdocs'] },
          checks: { techdocs: { severity: 'low' } },
        },
        "Invalid scorecards config: check 'techdocs' field 'id': the built-in check is disabled in scorecards.builtins.disabledChecks; remove it there to configure it",
      ],
      [
        'a wrongly typed builtins flag',
        { builtins: { enabled: 'yes' } },
        "Invalid scorecards config: field 'scorecards.builtins.enabled': expected true or false",
      ],
    ])('%s', (_, config, message) => {
      expect(readError(config)).toBe(message);
    });

    it('rejects a check id that a module already uses', () => {
      const duplicate = { ...BUILTIN_CHECKS[0] };
      expect(readError({}, { checks: [duplicate] })).toBe(
        "Invalid scorecard definitions added in code: check 'owner-exists' field 'id': duplicate id (already a built-in check)",
      );
    });
  });
});
