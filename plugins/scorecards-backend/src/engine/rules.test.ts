import { createCatalogIndex } from './catalogIndex';
import { explainVerdict, expectedOf, observedOf } from './explain';
import { OperatorRegistry } from './operators';
import { compileRule } from './rules';
import type { EvalScope } from './verdict';

const NOW = new Date('2026-11-26T12:00:00Z');
const catalog = createCatalogIndex([
  { kind: 'Group', metadata: { name: 'team-a', namespace: 'default' } },
  { kind: 'User', metadata: { name: 'jdoe', namespace: 'default' } },
]);

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'checkout',
    annotations: {
      'pagerduty.com/integration-key': 'abc',
      'guardrails.dev/slo-target': '99.9',
      'guardrails.dev/bad-number': 'high',
      'guardrails.dev/reviewed': '2026-10-02',
    },
    labels: { tier: 'gold' },
    tags: ['java', 'payments'],
    links: [
      { url: 'https://wiki/runbook', type: 'runbook' },
      { url: 'ftp://wiki/dash', type: 'dashboard' },
    ],
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
  relations: [
    { type: 'partOf', targetRef: 'system:default/payments' },
    { type: 'ownedBy', targetRef: 'user:default/jdoe' },
  ],
};

/** Evaluates a rule on the entity and returns the outcome with its explanation. */
function run(
  rule: unknown,
  target: unknown = entity,
  extra: Partial<EvalScope> = {},
) {
  const compiled = compileRule(rule, new OperatorRegistry());
  const scope: EvalScope = {
    now: NOW,
    nowMs: NOW.getTime(),
    catalog,
    facts: {},
    staleFacts: undefined,
    ...extra,
  };
  const verdict = compiled.evaluate(target, scope);
  return {
    outcome: verdict.outcome,
    explanation: explainVerdict(verdict),
    observed: observedOf(verdict),
    expected: expectedOf(verdict),
  };
}

const annotation = (key: string, filter: unknown) => ({
  [`metadata.annotations.${key}`]: filter,
});

describe('compileRule: the library grammar', () => {
  it('compares values case-insensitively and numbers as strings', () => {
    expect(run({ 'spec.type': 'SERVICE' }).outcome).toBe('pass');
    expect(run({ 'spec.type': 'website' })).toMatchObject({
      outcome: 'fail',
      explanation: 'Field spec.type is "service", expected "website".',
    });
    expect(run(annotation('guardrails.dev/slo-target', 99.9)).outcome).toBe(
      'pass',
    );
  });

  it('supports $exists, $in, $hasPrefix and $contains', () => {
    expect(
      run(annotation('pagerduty.com/integration-key', { $exists: true }))
        .outcome,
    ).toBe('pass');
    expect(
      run(annotation('opsgenie.com/team', { $exists: false })).outcome,
    ).toBe('pass');
    expect(
      run(annotation('pagerduty.com/integration-key', { $exists: false })),
    ).toMatchObject({
      outcome: 'fail',
      explanation:
        'Annotation pagerduty.com/integration-key is set to "abc", but it should not be set.',
    });
    expect(
      run({ 'spec.lifecycle': { $in: ['production', 'beta'] } }).outcome,
    ).toBe('pass');
    expect(run({ 'spec.lifecycle': { $in: ['beta'] } })).toMatchObject({
      outcome: 'fail',
      explanation:
        'Field spec.lifecycle is "production", expected one of "beta".',
    });
    expect(run({ 'spec.owner': { $hasPrefix: 'TEAM-' } }).outcome).toBe('pass');
    expect(run({ 'metadata.tags': { $contains: 'JAVA' } }).outcome).toBe(
      'pass',
    );
    expect(
      run({ 'metadata.tags': { $contains: { $any: ['go', 'payments'] } } })
        .outcome,
    ).toBe('pass');
    expect(run({ 'metadata.tags': { $contains: 'go' } })).toMatchObject({
      outcome: 'fail',
      explanation: 'There is no tag "go".',
    });
  });

  it('reads labels, links and relations', () => {
    expect(run({ 'metadata.labels.tier': 'gold' }).explanation).toBe(
      'Label tier is "gold".',
    );
    expect(
      run({ 'metadata.links': { $contains: { type: 'runbook' } } }),
    ).toEqual({
      outcome: 'pass',
      explanation: 'There is a link of type runbook (https://wiki/runbook).',
      observed: 'https://wiki/runbook',
      expected: 'there is a link of type runbook',
    });
    expect(
      run({ 'metadata.links': { $contains: { type: 'postmortems' } } })
        .explanation,
    ).toBe('There is no link of type postmortems.');
  });

  it('explains the element that matched the first key of a $contains predicate', () => {
    expect(
      run({
        'metadata.links': {
          $contains: { type: 'dashboard', url: { $hasPrefix: 'https://' } },
        },
      }),
    ).toMatchObject({
      outcome: 'fail',
      observed: 'ftp://wiki/dash',
      explanation:
        'There is a link of type dashboard, but its url is "ftp://wiki/dash", expected a value starting with "https://".',
    });
  });

  it('combines several paths in one object as all of them', () => {
    expect(run({ kind: 'Component', 'spec.type': 'service' }).outcome).toBe(
      'pass',
    );
    expect(run({ kind: 'Component', 'spec.type': 'website' }).outcome).toBe(
      'fail',
    );
  });
});

describe('compileRule: tri-state logic', () => {
  const error = annotation('guardrails.dev/bad-number', { $gt: 0 });
  const fail = annotation('opsgenie.com/team', { $exists: true });
  const pass = annotation('pagerduty.com/integration-key', { $exists: true });

  it('$all: an error wins over a failure, then the first failure', () => {
    expect(run({ $all: [fail, error] })).toMatchObject({
      outcome: 'error',
      explanation:
        'Annotation guardrails.dev/bad-number is "high", expected a number greater than 0.',
    });
    expect(run({ $all: [pass, fail] })).toMatchObject({
      outcome: 'fail',
      explanation: 'Annotation opsgenie.com/team is not set.',
    });
    expect(run({ $all: [pass, pass] }).explanation).toBe(
      'Annotation pagerduty.com/integration-key is "abc" and annotation pagerduty.com/integration-key is "abc".',
    );
  });

  it('$any: a pass wins, then an error, else a failure naming every alternative', () => {
    expect(run({ $any: [error, pass] }).outcome).toBe('pass');
    expect(run({ $any: [fail, error] }).outcome).toBe('error');
    expect(
      run({
        $any: [
          fail,
          annotation('opsgenie.com/component-selector', { $exists: true }),
        ],
      }),
    ).toMatchObject({
      outcome: 'fail',
      explanation:
        'None of the annotations opsgenie.com/team, opsgenie.com/component-selector is set.',
      expected:
        'one of the annotations opsgenie.com/team, opsgenie.com/component-selector is set',
    });
  });

  it('$not swaps pass and fail and keeps errors', () => {
    expect(run({ $not: fail }).outcome).toBe('pass');
    expect(run({ $not: { 'spec.lifecycle': 'production' } })).toMatchObject({
      outcome: 'fail',
      explanation:
        'Field spec.lifecycle is "production", expected it not to be "production".',
    });
    expect(run({ $not: error }).outcome).toBe('error');
  });
});

describe('compileRule: facts', () => {
  it('reads fresh facts by name', () => {
    expect(
      run({ 'facts.chaos.lastExperimentAt': { $within: 'P90D' } }, entity, {
        facts: { chaos: { lastExperimentAt: '2026-11-20T10:00:00Z' } },
      }),
    ).toMatchObject({
      outcome: 'pass',
      explanation:
        'Fact chaos.lastExperimentAt is "2026-11-20T10:00:00Z", which is 6 days old.',
    });
  });

  it('explains that a fact is missing', () => {
    expect(
      run({ 'facts.incidents.mttrMinutes': { $lte: 60 } }).explanation,
    ).toBe(
      'Fact incidents.mttrMinutes is not set, expected a number at most 60.',
    );
  });
});

describe('compileRule: validation', () => {
  const compile = (rule: unknown) => () => compileRule(rule);

  it('names the unknown operator, where it is, and the known ones', () => {
    expect(
      compile(annotation('guardrails.dev/slo-target', { $regex: 'x' })),
    ).toThrow(
      "unknown operator '$regex' at metadata.annotations.guardrails.dev/slo-target (known: $exists, $in, $contains, $hasPrefix, $notBlank, $matches, $gt, $gte, $lt, $lte, $within, $entity, $link)",
    );
    expect(compile({ $or: [] })).toThrow(
      "unknown operator '$or' at the top level (known here: $all, $any, $not;",
    );
  });

  it('rejects wrong argument types', () => {
    expect(compile({ x: { $gt: '5' } })).toThrow(
      "operator '$gt' at x expects a number, got the string '5'",
    );
    expect(compile({ x: { $exists: 'yes' } })).toThrow(
      "operator '$exists' at x expects true or false",
    );
    expect(compile({ x: { $in: 'a' } })).toThrow(
      "operator '$in' at x expects a list of strings, numbers or booleans",
    );
    expect(compile({ $all: { x: 1 } })).toThrow(
      "operator '$all' at the top level expects a list of predicates, got an object",
    );
    expect(compile({ x: null })).toThrow(
      'at x: expected a string, number or boolean to compare with',
    );
  });

  it('rejects bad regular expressions and durations', () => {
    expect(compile({ x: { $matches: '(' } })).toThrow(
      /operator '\$matches' at x has a bad regular expression \/\(\/: Invalid regular expression/,
    );
    expect(compile({ x: { $matches: { pattern: 'a', flags: 'g' } } })).toThrow(
      'operator \'$matches\' at x has invalid flags "g"',
    );
    expect(compile({ x: { $within: '180 days' } })).toThrow(
      "operator '$within' at x: '180 days' is not an ISO-8601 duration (examples: P180D, P6M, P1Y, PT12H)",
    );
    expect(compile({ x: { $within: 'PT0S' } })).toThrow(
      "operator '$within' at x: 'PT0S' must be a positive duration",
    );
  });

  it('rejects structural mistakes with a hint', () => {
    expect(compile({ metadata: { annotations: { x: 'y' } } })).toThrow(
      "at metadata: 'annotations' is not an operator; to match a nested field write the dotted path, e.g. 'metadata.annotations'",
    );
    expect(compile({ $all: [], kind: 'x' })).toThrow(
      "operator '$all' at the top level must be the only key of its object",
    );
    expect(compile({ x: { $any: [1] } })).toThrow(
      "operator '$any' at x combines whole conditions",
    );
    expect(compile({})).toThrow('the rule is empty, so it would always pass');
    expect(compile({ 'metadata.links': { $contains: { $regex: 1 } } })).toThrow(
      "unknown operator '$regex' at metadata.links[]",
    );
  });

  it('validates $entity predicates with the library grammar', () => {
    expect(
      compile({ 'spec.owner': { $entity: { kind: { $matches: 'G' } } } }),
    ).toThrow(
      "unknown operator '$matches' at spec.owner $entity.kind (known: $exists, $in, $contains, $hasPrefix)",
    );
  });
});
