import { Entity } from '@backstage/catalog-model';
import {
  CHECK_STATUSES,
  CheckDefinition,
  CheckSeverity,
  Fact,
  Waiver,
} from '@guardrails/plugin-scorecards-common';
import fc from 'fast-check';
import { createCatalogIndex } from './catalogIndex';
import { ScorecardEngine } from './ScorecardEngine';

const ANNOTATIONS = [
  'pagerduty.com/integration-key',
  'pagerduty',
  'guardrails.dev/slo-target',
  'guardrails.dev/runbook-reviewed',
  'guardrails.dev/security-contact',
  'backstage.io/techdocs-ref',
];
const CHECK_IDS = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
const ENTITY_PATHS = [
  ...ANNOTATIONS.map(key => `metadata.annotations.${key}`),
  'metadata.labels.tier',
  'metadata.name',
  'metadata.tags',
  'metadata.links',
  'kind',
  'spec.type',
  'spec.owner',
  'spec.replicas',
  'relations',
  'facts.chaos.lastExperimentAt',
  'facts.incidents',
];
const ELEMENT_PATHS = ['type', 'url', 'targetRef', 'name'];

const json = fc.jsonValue({ maxDepth: 2 });
const primitive = fc.oneof(
  fc.constantFrom('service', 'runbook', 'ownedBy', '99.9', '1', 'canary', ''),
  fc.integer({ min: -5, max: 200 }),
  fc.boolean(),
);
const dateText = fc.constantFrom(
  '2026-11-20',
  '2026-05-01',
  '2025-01-02T10:00:00Z',
  '2027-05-14',
  'last spring',
  '2026-02-30',
  '',
);
const filter = fc.constantFrom<object>(
  {},
  { kind: 'Group' },
  { kind: 'Group', 'spec.type': 'team' },
  { $any: [{ kind: 'System' }, { 'metadata.namespace': { $exists: true } }] },
);
const regex = fc.constantFrom<unknown>(
  '^#[a-z-]+$',
  '.',
  { pattern: '^TEAM-', flags: 'i' },
  { pattern: '@', description: 'an address' },
);

/** Rules from the grammar: logical operators over paths, value operators, element predicates. */
const { rule } = fc.letrec<{
  rule: object;
  element: unknown;
  elementExpression: object;
  value: unknown;
}>(tie => ({
  rule: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.dictionary(fc.constantFrom(...ENTITY_PATHS), tie('value'), {
      minKeys: 1,
      maxKeys: 3,
    }),
    fc.record({ $all: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ $any: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ $not: tie('rule') }),
  ),
  elementExpression: fc.dictionary(
    fc.constantFrom(...ELEMENT_PATHS),
    tie('value'),
    {
      minKeys: 1,
      maxKeys: 2,
    },
  ),
  element: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    tie('elementExpression'),
    fc.record({
      $any: fc.array(tie('element'), { minLength: 1, maxLength: 2 }),
    }),
    fc.record({ $not: tie('element') }),
  ),
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    fc.record({ $exists: fc.boolean() }),
    fc.record({ $in: fc.array(primitive, { maxLength: 3 }) }),
    fc.record({ $hasPrefix: fc.constantFrom('', 'https://', 'team-') }),
    fc.record({ $contains: tie('element') }),
    fc.record({ $matches: regex }),
    fc.record({ $gt: fc.integer({ min: -1, max: 100 }) }),
    fc.record({
      $gte: fc.double({
        noNaN: true,
        noDefaultInfinity: true,
        min: -10,
        max: 10,
      }),
    }),
    fc.record({ $lt: fc.integer({ min: 0, max: 100 }) }),
    fc.record({ $gt: fc.constant(0), $lte: fc.constant(100) }),
    fc.record({ $lte: fc.integer({ min: 0, max: 100 }) }),
    fc.record({ $within: fc.constantFrom('P180D', 'P1M', 'P1Y', 'PT12H') }),
    fc.record({ $entity: filter }),
  ),
}));

const checks = fc
  .array(
    fc.record({
      rule,
      severity: fc.constantFrom<CheckSeverity>(
        'critical',
        'high',
        'medium',
        'low',
        'warning',
      ),
      appliesTo: fc.option(
        fc.constantFrom<object>(
          { 'spec.type': { $in: ['service', 'website'] } },
          { kind: 'Component' },
        ),
        { nil: undefined },
      ),
      enforcedFrom: fc.option(fc.constantFrom('2026-01-01', '2027-01-15'), {
        nil: undefined,
      }),
    }),
    { minLength: 1, maxLength: CHECK_IDS.length },
  )
  .map(list =>
    list.map(
      (c, i): CheckDefinition => ({
        id: CHECK_IDS[i],
        title: CHECK_IDS[i],
        description: 'generated',
        category: 'reliability',
        severity: c.severity,
        rule: c.rule as CheckDefinition['rule'],
        ...(c.appliesTo ? { appliesTo: c.appliesTo as any } : {}),
        ...(c.enforcedFrom ? { enforcedFrom: c.enforcedFrom } : {}),
      }),
    ),
  );

const waiverValue = fc.oneof(
  fc.constantFrom(
    '2027-03-31: migrating',
    '2026-01-31: expired',
    'soon',
    '2027-01-01:',
  ),
  json,
);

const entity: fc.Arbitrary<Entity> = fc.record({
  apiVersion: fc.constant('backstage.io/v1alpha1'),
  kind: fc.constantFrom('Component', 'API', 'component'),
  metadata: fc.record({
    name: fc.constantFrom('checkout', 'Orders'),
    namespace: fc.option(fc.constantFrom('default', 'ops'), { nil: undefined }),
    annotations: fc.oneof(
      fc.dictionary(
        fc.oneof(
          fc.constantFrom(...ANNOTATIONS),
          fc
            .constantFrom(...CHECK_IDS, 'unknown')
            .map(id => `guardrails.dev/waive.${id}`),
          fc.string(),
        ),
        fc.oneof(primitive.map(String), dateText, waiverValue, json),
        { maxKeys: 6 },
      ),
      json,
    ),
    labels: fc.oneof(fc.dictionary(fc.constantFrom('tier', 'a.b'), json), json),
    tags: fc.oneof(fc.array(primitive, { maxLength: 3 }), json),
    links: fc.oneof(
      fc.array(
        fc.oneof(
          fc.record({
            url: fc.oneof(fc.webUrl(), json),
            type: fc.oneof(primitive, json),
          }),
          json,
        ),
        { maxLength: 3 },
      ),
      json,
    ),
  }) as fc.Arbitrary<Entity['metadata']>,
  spec: fc.oneof(
    fc.record({
      type: fc.oneof(fc.constantFrom('service', 'website', 'library'), json),
      owner: fc.oneof(
        fc.constantFrom('team-a', 'user:jdoe', 'group:ops/platform'),
        json,
      ),
      replicas: json,
    }),
    fc.dictionary(fc.string(), json, { maxKeys: 3 }),
  ) as fc.Arbitrary<Entity['spec']>,
  relations: fc.array(
    fc.oneof(
      fc.record({
        type: fc.constantFrom('ownedBy', 'partOf', 'dependsOn'),
        targetRef: fc.constantFrom(
          'group:default/team-a',
          'user:default/jdoe',
          'group:default/ghost',
          'team-a',
        ),
      }),
      json,
    ),
    { maxLength: 3 },
  ) as fc.Arbitrary<Entity['relations']>,
});

const facts = fc.array(
  fc.record({
    entityRef: fc.constant('component:default/checkout'),
    name: fc.constantFrom('chaos', 'incidents', 'constructor'),
    value: fc.oneof(
      fc.record({ lastExperimentAt: fc.oneof(dateText, json) }),
      json,
    ),
    observedAt: fc.oneof(dateText, fc.string()),
    freshFor: fc.option(fc.constantFrom('P30D', 'P1Y', 'bogus'), {
      nil: undefined,
    }),
  }),
  { maxLength: 3 },
) as fc.Arbitrary<Fact[]>;

const waivers: fc.Arbitrary<Waiver[]> = fc.array(
  fc.record({
    entityRef: fc.constant('component:default/checkout'),
    checkId: fc.constantFrom(...CHECK_IDS, 'missing'),
    reason: fc.string(),
    expiresAt: fc.oneof(dateText, fc.constant('2027-01-01T00:00:00Z')),
    grantedBy: fc.constant('user:default/jane'),
    source: fc.constant('api' as const),
  }),
  { maxLength: 2 },
);

const catalog = createCatalogIndex([
  {
    kind: 'Group',
    metadata: { name: 'team-a', namespace: 'default' },
    spec: { type: 'team' },
  },
  { kind: 'Group', metadata: { name: 'platform', namespace: 'ops' } },
  { kind: 'System', metadata: { name: 'payments', namespace: 'default' } },
]);

describe('ScorecardEngine properties', () => {
  it('never throws, is deterministic and keeps scores within 0-100', () => {
    fc.assert(
      fc.property(
        checks,
        fc.array(fc.integer({ min: 0, max: 2 }), {
          minLength: CHECK_IDS.length,
          maxLength: CHECK_IDS.length,
        }),
        entity,
        facts,
        waivers,
        fc.date({
          min: new Date('2026-01-01'),
          max: new Date('2028-01-01'),
          noInvalidDate: true,
        }),
        (definitions, levelOf, target, entityFacts, apiWaivers, now) => {
          const ids = definitions.map(c => c.id);
          const scorecard = {
            id: 'card',
            title: 'Card',
            description: 'generated',
            appliesTo: { kind: 'Component' },
            checks: ids,
            levels: ['Bronze', 'Silver', 'Gold'].map((name, level) => ({
              name,
              checks: ids.filter((_, i) => levelOf[i] === level),
            })),
          };
          const engine = new ScorecardEngine({
            checks: definitions,
            scorecards: [scorecard],
          });
          const input = {
            entity: target,
            facts: entityFacts,
            waivers: apiWaivers,
            catalog,
            now,
          };

          const first = engine.evaluate(input);
          const second = engine.evaluate(input);
          const fresh = new ScorecardEngine({
            checks: definitions,
            scorecards: [scorecard],
          }).evaluate(input);
          expect(second).toEqual(first);
          expect(fresh).toEqual(first);

          for (const result of first.checks) {
            expect(CHECK_STATUSES).toContain(result.status);
            expect(result.explanation).toMatch(/^[A-Z].*\.$/s);
          }
          for (const card of first.scorecards) {
            expect(Number.isInteger(card.score)).toBe(true);
            expect(card.score).toBeGreaterThanOrEqual(0);
            expect(card.score).toBeLessThanOrEqual(100);
            expect(card.levelIndex).toBeGreaterThanOrEqual(-1);
            expect(card.level).toBe(
              card.levelIndex >= 0
                ? scorecard.levels[card.levelIndex].name
                : null,
            );
            expect(Object.values(card.counts).reduce((a, b) => a + b, 0)).toBe(
              ids.length,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
