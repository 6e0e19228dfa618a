import { createCatalogIndex } from './catalogIndex';
import { explainVerdict } from './explain';
import {
  anyOf,
  joinAnd,
  relationVerb,
  renderValue,
  subjectOf,
  withArticle,
} from './phrases';
import { compileRule } from './rules';
import type { EvalScope } from './verdict';

const scope: EvalScope = {
  now: new Date('2026-11-26T12:00:00Z'),
  nowMs: Date.parse('2026-11-26T12:00:00Z'),
  catalog: createCatalogIndex([]),
  facts: {},
  staleFacts: undefined,
};

const explain = (rule: unknown, entity: unknown) =>
  explainVerdict(compileRule(rule).evaluate(entity, scope));

describe('phrases', () => {
  it('names paths the way service owners read them', () => {
    expect(
      subjectOf('metadata.annotations.pagerduty.com/integration-key', false),
    ).toBe('annotation pagerduty.com/integration-key');
    expect(subjectOf('metadata.labels.tier', false)).toBe('label tier');
    expect(subjectOf('facts.chaos.lastExperimentAt', false)).toBe(
      'fact chaos.lastExperimentAt',
    );
    expect(subjectOf('spec.type', false)).toBe('field spec.type');
    expect(subjectOf('url', true)).toBe('its url');
    expect(relationVerb('ownedBy')).toBe('owned by');
    expect(relationVerb('reviews')).toBe('has a reviews relation to');
  });

  it('renders values briefly', () => {
    expect(renderValue('x'.repeat(100))).toBe(`"${'x'.repeat(77)}..."`);
    expect(renderValue(null)).toBe('empty (null)');
    expect(renderValue([1, 2])).toBe('a list of 2 items');
    expect(renderValue({})).toBe('an object');
  });

  it('joins clauses', () => {
    expect(joinAnd(['a', 'b', 'c'])).toBe('a, b and c');
    expect(anyOf(['a', 'b'])).toBe('either a or b');
    expect(anyOf(['a', 'b', 'c'])).toBe('one of: a; b; c');
    expect(withArticle('ownedBy relation')).toBe('an ownedBy relation');
  });
});

describe('explainVerdict', () => {
  const links = (...types: string[]) => ({
    metadata: {
      links: types.map(type => ({ url: `https://x/${type}`, type })),
    },
  });

  it('lists missing annotations and other alternatives in one sentence', () => {
    const dashboard = {
      $any: [
        {
          'metadata.annotations.grafana/dashboard-selector': { $exists: true },
        },
        {
          'metadata.annotations.grafana/overview-dashboard': { $exists: true },
        },
        { 'metadata.links': { $contains: { type: 'dashboard' } } },
      ],
    };
    expect(explain(dashboard, links('runbook'))).toBe(
      'None of the annotations grafana/dashboard-selector, grafana/overview-dashboard is set and there is no link of type dashboard.',
    );
    expect(explain(dashboard, links('dashboard'))).toBe(
      'There is a link of type dashboard (https://x/dashboard).',
    );
  });

  it('states a shared expectation once', () => {
    const chaos = {
      $any: [
        { 'metadata.annotations.a.io/last-run': { $within: 'P90D' } },
        { 'metadata.annotations.b.io/last-run': { $within: 'P90D' } },
      ],
    };
    expect(
      explain(chaos, {
        metadata: { annotations: { 'b.io/last-run': '2026-01-01' } },
      }),
    ).toBe(
      'Annotation a.io/last-run is not set and annotation b.io/last-run is "2026-01-01", which is 329 days old; expected one of them to be a date within the last 90 days.',
    );
  });

  it('explains relations with their target', () => {
    const owned = {
      relations: {
        $contains: {
          type: 'ownedBy',
          targetRef: { $entity: { kind: 'Group' } },
        },
      },
    };
    expect(explain(owned, { relations: [] })).toBe(
      'The entity has no owner (no ownedBy relation).',
    );
    expect(
      explain(owned, {
        relations: [{ type: 'ownedBy', targetRef: 'group:default/x' }],
      }),
    ).toBe('Owned by group:default/x, which is not in the catalog.');
  });

  it('builds sentences for values that are not short strings', () => {
    expect(
      explain({ 'spec.replicas': { $gte: 3 } }, { spec: { replicas: 2 } }),
    ).toBe('Field spec.replicas is 2, expected a number at least 3.');
    expect(
      explain({ 'spec.tags': { $exists: true } }, { spec: { tags: ['a'] } }),
    ).toBe('Field spec.tags is a list of 1 item.');
  });
});
