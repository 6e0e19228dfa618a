import { getJsonValueAtPath } from '@backstage/filter-predicates';
import fc from 'fast-check';
import { PathLayout, compilePath } from './paths';

// Keys that collide at dot boundaries, and keys every object inherits.
const KEYS = [
  'a',
  'b',
  'a.b',
  'b.c',
  'a.b.c',
  'x.io/y',
  'x',
  'constructor',
  'toString',
];
const SEGMENTS = ['a', 'b', 'c', 'x.io/y', 'x', 'constructor', ''];

const tree: fc.Arbitrary<unknown> = fc.letrec(tie => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)),
    fc.array(tie('node'), { maxLength: 2 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('node'), {
      maxKeys: 4,
      noNullPrototype: true,
    }),
  ),
})).node;

const path = fc
  .array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 4 })
  .map(segments => segments.join('.'));

describe('compilePath', () => {
  it('reads what getJsonValueAtPath reads, for any value and path', () => {
    fc.assert(
      fc.property(tree, path, (value, p) => {
        expect(compilePath(p)(value, undefined)).toBe(
          getJsonValueAtPath(value as any, p),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('reads keys that contain dots, and never into arrays', () => {
    const value = {
      metadata: { annotations: { 'pagerduty.com/integration-key': 'abc' } },
      list: [{ a: 1 }],
    };
    expect(
      compilePath('metadata.annotations.pagerduty.com/integration-key')(
        value,
        undefined,
      ),
    ).toBe('abc');
    expect(compilePath('list.0.a')(value, undefined)).toBeUndefined();
    expect(compilePath('')(value, undefined)).toBeUndefined();
    expect(compilePath('constructor')({}, undefined)).toBeUndefined();
  });
});

describe('PathLayout views', () => {
  const annotationKeys = [
    'pagerduty.com/integration-key',
    'pagerduty',
    'a.b',
    'a',
    'x',
  ];
  const paths = [
    ...annotationKeys.map(k => `metadata.annotations.${k}`),
    'metadata.labels.tier',
    'metadata.labels.a.b',
    'metadata.name',
    'metadata.links',
    'spec.type',
    'spec.a.b',
    'kind',
    'relations',
  ];
  // Objects under prefix keys are what makes a path ambiguous.
  const mapValue = fc.oneof(
    fc.string(),
    fc.integer(),
    fc.record(
      { 'com/integration-key': fc.string(), b: fc.string() },
      { requiredKeys: [] },
    ),
  );
  const mapOf = (keys: string[]) =>
    fc.dictionary(fc.constantFrom(...keys), mapValue, {
      maxKeys: 4,
      noNullPrototype: true,
    });
  const metadata = (dotted: boolean) =>
    fc.record(
      {
        name: fc.string(),
        annotations: fc.oneof(
          mapOf([...annotationKeys, 'guardrails.dev/waive.x']),
          fc.array(fc.string(), { maxLength: 1 }),
        ),
        labels: mapOf(['tier', 'a', 'a.b']),
        ...(dotted ? { 'annotations.pagerduty': mapValue } : {}),
      },
      { requiredKeys: ['annotations'] },
    );
  const entity = (dotted: boolean) =>
    fc.record(
      {
        kind: fc.oneof(fc.constant('Component'), fc.integer()),
        ...(dotted ? { 'kind.x': fc.string() } : {}),
        metadata: fc.oneof(metadata(dotted), fc.string()),
        spec: fc.record(
          {
            type: fc.string(),
            a: fc.record({ b: fc.string() }),
            ...(dotted ? { 'a.b': fc.string() } : {}),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: dotted ? [] : ['metadata'] },
    );
  const entities = fc.oneof(entity(false), entity(false), entity(true));

  it('reads through a view exactly what the general route reads', () => {
    const layout = new PathLayout();
    const readers = paths.map(p => [p, layout.compile(p)] as const);
    fc.assert(
      fc.property(entities, value => {
        const view = layout.view(value, 'guardrails.dev/waive.');
        for (const [p, read] of readers) {
          expect(read(value, view)).toBe(getJsonValueAtPath(value as any, p));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('declines entities with keys that make paths ambiguous, and notes waivers', () => {
    const layout = new PathLayout();
    layout.compile('metadata.annotations.pagerduty.com/integration-key');
    const prefix = 'guardrails.dev/waive.';
    expect(
      layout.view({ metadata: { annotations: { pagerduty: 'x' } } }, prefix),
    ).toBeUndefined();
    expect(layout.view({ 'metadata.annotations': {} }, prefix)).toBeUndefined();
    expect(
      layout.view(
        { metadata: { annotations: { 'guardrails.dev/waive.x': 'y' } } },
        prefix,
      )?.hasWaiverAnnotations,
    ).toBe(true);
    expect(
      layout.view({ metadata: { annotations: {} } }, prefix)
        ?.hasWaiverAnnotations,
    ).toBe(false);
  });
});
