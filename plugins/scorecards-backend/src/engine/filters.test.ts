import { evaluateFilterPredicate } from '@backstage/filter-predicates';
import fc from 'fast-check';
import { createCatalogIndex } from './catalogIndex';
import { compileFilter } from './filters';
import { compileRule } from './rules';
import type { EvalScope } from './verdict';

const PARTS = ['a', 'b', 'a.b', 'x.io/y', 'list', 'n'];

const primitive = fc.oneof(
  fc.constantFrom('a', 'A', 'b', 'ß', 'SS', 'service', '1', '2.5', 'true', ''),
  fc.constantFrom(1, 0, 2.5, -3),
  fc.boolean(),
);

const { predicate, value } = fc.letrec<{
  predicate: object;
  anyPredicate: unknown;
  valuePredicate: unknown;
  value: unknown;
}>(tie => ({
  predicate: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.dictionary(fc.constantFrom(...PARTS), tie('valuePredicate'), {
      maxKeys: 3,
      noNullPrototype: true,
    }),
    fc.record({ $all: fc.array(tie('predicate'), { maxLength: 3 }) }),
    fc.record({ $any: fc.array(tie('predicate'), { maxLength: 3 }) }),
    fc.record({ $not: tie('predicate') }),
  ),
  anyPredicate: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    tie('predicate'),
    fc.record({ $any: fc.array(tie('anyPredicate'), { maxLength: 3 }) }),
    fc.record({ $not: tie('anyPredicate') }),
  ),
  valuePredicate: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    fc.record({ $exists: fc.boolean() }),
    fc.record({ $in: fc.array(primitive, { maxLength: 3 }) }),
    fc.record({ $contains: tie('anyPredicate') }),
    fc.record({ $hasPrefix: fc.constantFrom('', 'a', 'SER', 'x') }),
  ),
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...PARTS), tie('value'), {
      maxKeys: 4,
      noNullPrototype: true,
    }),
  ),
}));

const scope: EvalScope = {
  now: new Date('2026-11-26T12:00:00Z'),
  nowMs: Date.parse('2026-11-26T12:00:00Z'),
  catalog: createCatalogIndex([]),
  facts: {},
  staleFacts: undefined,
};

describe('compileFilter', () => {
  it('agrees with evaluateFilterPredicate on any predicate and value', () => {
    fc.assert(
      fc.property(predicate, value, (p, v) => {
        expect(compileFilter(p).test(v)).toBe(
          evaluateFilterPredicate(p as any, v),
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('gives rules in the library grammar the library answer', () => {
    fc.assert(
      fc.property(
        predicate.filter(p => Object.keys(p).length > 0),
        value,
        (p, v) => {
          const expected = evaluateFilterPredicate(p as any, v)
            ? 'pass'
            : 'fail';
          expect(compileRule(p).evaluate(v, scope).outcome).toBe(expected);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('describes the predicate in words', () => {
    expect(
      compileFilter({
        kind: 'Component',
        'spec.type': { $in: ['service', 'website'] },
        'metadata.annotations.x.io/y': { $exists: true },
      }).description,
    ).toBe(
      'field kind is "Component", field spec.type is one of "service", "website" and annotation x.io/y is set',
    );
    expect(
      compileFilter({ $any: [{ kind: 'API' }, { $not: { kind: 'Group' } }] })
        .description,
    ).toBe('either field kind is "API" or not (field kind is "Group")');
  });

  it('lists the top-level paths it reads', () => {
    expect(
      compileFilter({
        $all: [
          { kind: 'Component' },
          { 'metadata.tags': { $contains: { name: 'x' } } },
        ],
      }).paths,
    ).toEqual(['kind', 'metadata.tags']);
  });

  it('accepts only the library operators, one per value', () => {
    expect(() => compileFilter({ kind: { $matches: 'x' } })).toThrow(
      "unknown operator '$matches' at kind (known: $exists, $in, $contains, $hasPrefix)",
    );
    expect(() =>
      compileFilter({ kind: { $exists: true, $in: ['a'] } }),
    ).toThrow('at kind: combine several operators ($exists, $in) with $all');
    expect(() => compileFilter([])).toThrow(
      'at the top level: expected a predicate object, got an array',
    );
  });
});
