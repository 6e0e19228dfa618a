import { ConfigReader } from '@backstage/config';
import {
  defaultIndicators,
  indicatorEntityShape,
  readIndicators,
} from './readIndicators';
import { readScorecardDefinitions } from './readScorecardDefinitions';

const definitions = readScorecardDefinitions(new ConfigReader({}));

const read = (indicators: unknown) =>
  readIndicators(
    new ConfigReader({ scorecards: { indicators } } as any),
    definitions,
  );
const readError = (indicators: unknown) => {
  try {
    read(indicators);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be rejected');
};

const LEVEL = {
  title: 'At Gold',
  description: 'Services at Gold.',
  measure: { type: 'level', scorecard: 'production-readiness', level: 'Gold' },
};
const LEAD_TIME = {
  title: 'Lead time',
  description: 'From commit to production.',
  entities: { kind: 'Component', 'spec.owner': 'group:default/payments' },
  measure: {
    type: 'fact',
    fact: 'leadTime',
    aggregate: 'median',
    unit: 'hours',
    higherIsBetter: false,
  },
};

const service = {
  entityRef: 'component:default/checkout-api',
  kind: 'Component',
  type: 'service',
  lifecycle: 'production',
  ownerRef: 'group:default/payments',
};

describe('readIndicators', () => {
  it('gives the four default indicators without configuration', () => {
    const indicators = readIndicators(new ConfigReader({}), definitions);
    expect(indicators.map(i => ({ id: i.id, measure: i.measure }))).toEqual([
      {
        id: 'silver-or-above',
        measure: {
          type: 'level',
          scorecardId: 'production-readiness',
          level: 'Silver',
        },
      },
      { id: 'slo-defined', measure: { type: 'check', checkId: 'slo-defined' } },
      { id: 'on-call', measure: { type: 'check', checkId: 'on-call' } },
      {
        id: 'security-review',
        measure: { type: 'check', checkId: 'security-review' },
      },
    ]);
    // Production services only.
    const filter = indicators[0].filter;
    expect(filter.test(indicatorEntityShape(service))).toBe(true);
    expect(
      filter.test(
        indicatorEntityShape({ ...service, lifecycle: 'experimental' }),
      ),
    ).toBe(false);
    expect(
      filter.test(indicatorEntityShape({ ...service, type: 'library' })),
    ).toBe(false);
  });

  it('leaves out defaults whose checks the definitions lack', () => {
    const without = readScorecardDefinitions(
      new ConfigReader({
        scorecards: { builtins: { disabledChecks: ['on-call'] } },
      }),
    );
    expect(defaultIndicators(without).map(i => i.id)).toEqual([
      'silver-or-above',
      'slo-defined',
      'security-review',
    ]);
    const none = readScorecardDefinitions(
      new ConfigReader({ scorecards: { builtins: { enabled: false } } }),
    );
    expect(defaultIndicators(none)).toEqual([]);
  });

  it('reads configured indicators in order, with their predicates and measures', () => {
    const indicators = read({ gold: LEVEL, 'lead-time': LEAD_TIME });
    expect(indicators.map(i => i.id)).toEqual(['gold', 'lead-time']);
    expect(indicators[0]).toMatchObject({
      title: 'At Gold',
      description: 'Services at Gold.',
      higherIsBetter: true,
      measure: {
        type: 'level',
        scorecardId: 'production-readiness',
        level: 'Gold',
      },
    });
    expect(indicators[1]).toMatchObject({
      higherIsBetter: false,
      measure: {
        type: 'fact',
        fact: 'leadTime',
        aggregate: 'median',
        unit: 'hours',
      },
    });
    expect(indicators[1].filter.test(indicatorEntityShape(service))).toBe(true);
    expect(
      indicators[1].filter.test(
        indicatorEntityShape({ ...service, ownerRef: 'group:default/other' }),
      ),
    ).toBe(false);
    // Without `entities`, production services.
    expect(indicators[0].entities).toEqual({
      kind: 'Component',
      'spec.type': 'service',
      'spec.lifecycle': 'production',
    });
  });

  it('matches names, namespaces, titles, Systems and Domains of the stored entity', () => {
    const [indicator] = read({
      named: {
        ...LEVEL,
        entities: {
          'metadata.name': { $hasPrefix: 'checkout' },
          'metadata.namespace': 'default',
          'spec.system': 'system:default/shop',
          'spec.domain': { $exists: true },
        },
      },
    });
    const shop = {
      ...service,
      systemRef: 'system:default/shop',
      domainRef: 'domain:default/commerce',
    };
    expect(indicator.filter.test(indicatorEntityShape(shop))).toBe(true);
    expect(
      indicator.filter.test(
        indicatorEntityShape({ ...shop, domainRef: undefined }),
      ),
    ).toBe(false);
  });

  it.each([
    [
      'more than five',
      Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map(id => [id, LEVEL])),
      "Invalid scorecards config: field 'scorecards.indicators': 6 indicators configured; headlines are at most 5",
    ],
    [
      'none',
      {},
      "Invalid scorecards config: field 'scorecards.indicators': configure 1 to 5 indicators, or leave the key out for the defaults",
    ],
    [
      'a list',
      [LEVEL],
      "Invalid scorecards config: field 'scorecards.indicators': expected an object of indicators by id",
    ],
    [
      'a bad id',
      { Gold_Level: LEVEL },
      "Invalid scorecards config: field 'scorecards.indicators.Gold_Level': an indicator id must be kebab-case",
    ],
    [
      'no title',
      { gold: { ...LEVEL, title: undefined } },
      "Invalid scorecards config: field 'scorecards.indicators.gold.title': expected a string",
    ],
    [
      'an empty description',
      { gold: { ...LEVEL, description: '' } },
      "Invalid scorecards config: field 'scorecards.indicators.gold.description': must not be empty",
    ],
    [
      'an unknown field',
      { gold: { ...LEVEL, colour: 'gold' } },
      "Invalid scorecards config: field 'scorecards.indicators.gold.colour': unknown field (known: title, description, entities, measure)",
    ],
    [
      'no measure',
      { gold: { ...LEVEL, measure: undefined } },
      "Invalid scorecards config: field 'scorecards.indicators.gold.measure': expected an object with a type: level, check or fact",
    ],
    [
      'an unknown measure type',
      { gold: { ...LEVEL, measure: { type: 'ratio' } } },
      'Invalid scorecards config: field \'scorecards.indicators.gold.measure.type\': expected level, check or fact, got "ratio"',
    ],
    [
      'an unknown scorecard',
      {
        gold: {
          ...LEVEL,
          measure: { type: 'level', scorecard: 'docs', level: 'Gold' },
        },
      },
      "Invalid scorecards config: field 'scorecards.indicators.gold.measure.scorecard': unknown scorecard 'docs' (known: production-readiness)",
    ],
    [
      'an unknown level',
      {
        gold: {
          ...LEVEL,
          measure: {
            type: 'level',
            scorecard: 'production-readiness',
            level: 'Platinum',
          },
        },
      },
      "Invalid scorecards config: field 'scorecards.indicators.gold.measure.level': scorecard 'production-readiness' has no level 'Platinum' (levels: Bronze, Silver, Gold)",
    ],
    [
      'an unknown check',
      {
        slo: { ...LEVEL, measure: { type: 'check', check: 'slo' } },
      },
      "Invalid scorecards config: field 'scorecards.indicators.slo.measure.check': unknown check 'slo'",
    ],
    [
      'a field of another measure',
      {
        slo: {
          ...LEVEL,
          measure: { type: 'check', check: 'slo-defined', unit: 'x' },
        },
      },
      "Invalid scorecards config: field 'scorecards.indicators.slo.measure.unit': unknown field (known: type, check)",
    ],
    [
      'a bad aggregate',
      {
        'lead-time': {
          ...LEAD_TIME,
          measure: { ...LEAD_TIME.measure, aggregate: 'max' },
        },
      },
      'Invalid scorecards config: field \'scorecards.indicators.lead-time.measure.aggregate\': unknown aggregate "max" (known: median, mean, p90)',
    ],
    [
      'higherIsBetter of the wrong type',
      {
        'lead-time': {
          ...LEAD_TIME,
          measure: { ...LEAD_TIME.measure, higherIsBetter: 'no' },
        },
      },
      "Invalid scorecards config: field 'scorecards.indicators.lead-time.measure.higherIsBetter': expected true or false",
    ],
    [
      'a fact without a name',
      {
        'lead-time': {
          ...LEAD_TIME,
          measure: { type: 'fact', aggregate: 'mean' },
        },
      },
      "Invalid scorecards config: field 'scorecards.indicators.lead-time.measure.fact': expected a fact name",
    ],
    [
      'entities that are not a predicate',
      { gold: { ...LEVEL, entities: 'services' } },
      "Invalid scorecards config: field 'scorecards.indicators.gold.entities': expected a filter predicate object",
    ],
    [
      'a bad predicate',
      { gold: { ...LEVEL, entities: { kind: { $regex: 'Comp' } } } },
      "Invalid scorecards config: field 'scorecards.indicators.gold.entities': unknown operator '$regex' at kind",
    ],
    [
      'a field the store does not keep',
      {
        gold: {
          ...LEVEL,
          entities: { $any: [{ kind: 'Component' }, { 'metadata.tags': 'x' }] },
        },
      },
      "Invalid scorecards config: field 'scorecards.indicators.gold.entities': 'metadata.tags' is not a field the store keeps of an entity (known: kind, metadata.name, metadata.namespace, metadata.title, spec.type, spec.lifecycle, spec.owner, spec.system, spec.domain)",
    ],
  ])('refuses %s, naming the field', (_what, indicators, message) => {
    expect(readError(indicators)).toContain(message);
  });

  it('lets the definitions accept the indicators key', () => {
    expect(() =>
      readScorecardDefinitions(
        new ConfigReader({ scorecards: { indicators: { gold: LEVEL } } }),
      ),
    ).not.toThrow();
  });
});
