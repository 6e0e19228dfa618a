import { BUILTIN_CHECKS } from './builtin';
import { rulePaths } from './rulePaths';

describe('rulePaths', () => {
  it('lists the paths under $all, $any and $not, once each, in order', () => {
    expect(
      rulePaths({
        $any: [
          { 'metadata.annotations.a': { $exists: true } },
          {
            $all: [
              { 'facts.chaos.lastExperimentAt': { $within: 'P90D' } },
              { $not: { 'spec.type': 'library' } },
            ],
          },
          { 'metadata.annotations.a': { $matches: 'x' } },
        ],
      }),
    ).toEqual([
      'metadata.annotations.a',
      'facts.chaos.lastExperimentAt',
      'spec.type',
    ]);
  });

  it('does not take the fields of an array element for paths of their own', () => {
    expect(
      rulePaths({
        relations: {
          $contains: {
            type: 'ownedBy',
            targetRef: { $entity: { kind: 'Group' } },
          },
        },
      }),
    ).toEqual(['relations']);
  });

  it('tells which built-in checks read facts besides the entity', () => {
    const readsFacts = BUILTIN_CHECKS.filter(check =>
      rulePaths(check.rule).some(path => path.startsWith('facts.')),
    ).map(check => check.id);
    expect(readsFacts).toContain('chaos-practice');
    expect(
      rulePaths(BUILTIN_CHECKS.find(c => c.id === 'on-call')!.rule),
    ).toEqual(
      expect.arrayContaining([
        'metadata.annotations.pagerduty.com/integration-key',
      ]),
    );
  });
});
