import { getJsonValueAtPath } from '@backstage/filter-predicates';
import fc from 'fast-check';
import { createCatalogIndex } from './catalogIndex';
import { compileRule } from './rules';
import type { EvalScope } from './verdict';

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

const scope: EvalScope = {
  now: new Date('2026-11-26T12:00:00Z'),
  nowMs: Date.parse('2026-11-26T12:00:00Z'),
  catalog: createCatalogIndex([]),
  facts: {},
  staleFacts: undefined,
};

/** The value a rule reads at `path`, found through `$exists` and an equality on it. */
const isSet = (value: unknown, p: string) =>
  compileRule({ [p]: { $exists: true } }).evaluate(value, scope).outcome ===
  'pass';

describe('rule paths', () => {
  it('find a value where getJsonValueAtPath finds one, for any value and path', () => {
    fc.assert(
      fc.property(tree, path, (value, p) => {
        expect(isSet(value, p)).toBe(
          getJsonValueAtPath(value as any, p) !== undefined,
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('read keys that contain dots, and never into arrays', () => {
    const value = {
      metadata: { annotations: { 'pagerduty.com/integration-key': 'abc' } },
      list: [{ a: 1 }],
    };
    const verdict = compileRule({
      'metadata.annotations.pagerduty.com/integration-key': 'abc',
    }).evaluate(value, scope);
    expect(verdict.outcome).toBe('pass');
    expect(isSet(value, 'list.0.a')).toBe(false);
    expect(isSet({}, 'constructor')).toBe(false);
  });
});
