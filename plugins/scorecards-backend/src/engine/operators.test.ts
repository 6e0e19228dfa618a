import type { RuleOperator } from '@guardrails/plugin-scorecards-node';
import { createCatalogIndex } from './catalogIndex';
import { explainVerdict } from './explain';
import { OperatorRegistry, toNumber } from './operators';
import { compileRule } from './rules';
import type { EvalScope } from './verdict';

const NOW = new Date('2026-11-26T12:00:00Z');
const catalog = createCatalogIndex([
  {
    kind: 'Group',
    metadata: { name: 'team-a', namespace: 'default' },
    spec: { type: 'team' },
  },
  {
    kind: 'Group',
    metadata: { name: 'platform', namespace: 'ops' },
    spec: { type: 'department' },
  },
  { kind: 'User', metadata: { name: 'jdoe', namespace: 'default' } },
]);

function scopeAt(now = NOW): EvalScope {
  return {
    now,
    nowMs: now.getTime(),
    catalog,
    facts: {},
    staleFacts: undefined,
  };
}

/** Evaluates `{ value: { <operator>: arg } }` on `{ value }`. */
function check(
  filter: Record<string, unknown>,
  value: unknown,
  options: { now?: Date; operators?: RuleOperator<unknown>[] } = {},
) {
  const rule = compileRule(
    { value: filter },
    new OperatorRegistry(options.operators),
  );
  const scope = scopeAt(options.now);
  const verdict = rule.evaluate(value === undefined ? {} : { value }, scope);
  return {
    status: verdict.outcome,
    explanation: explainVerdict(verdict),
  };
}

describe('$matches', () => {
  it('passes for strings that match, fails otherwise, never errors', () => {
    expect(check({ $matches: '^#[a-z-]+$' }, '#sec-payments').status).toBe(
      'pass',
    );
    expect(check({ $matches: '^#[a-z-]+$' }, 'bob').status).toBe('fail');
    expect(check({ $matches: '^#' }, 42).status).toBe('fail');
    expect(check({ $matches: '^#' }, undefined).status).toBe('fail');
  });

  it('takes flags and a description for explanations', () => {
    const filter = {
      $matches: { pattern: '^team-', flags: 'i', description: 'a team name' },
    };
    expect(check(filter, 'TEAM-A').status).toBe('pass');
    expect(check(filter, 'bob').explanation).toBe(
      'Field value is "bob", expected a team name.',
    );
    expect(check({ $matches: 'x+' }, 'y').explanation).toBe(
      'Field value is "y", expected a value matching /x+/.',
    );
  });
});

describe('$notBlank', () => {
  it('passes for a value that is set and not blank, where $exists passes for any value', () => {
    for (const value of ['x', 0, false, ['a'], { a: 1 }]) {
      expect(check({ $notBlank: true }, value).status).toBe('pass');
    }
    for (const value of [undefined, '', '   ', '\n\t', null, [], {}]) {
      expect(check({ $notBlank: true }, value).status).toBe('fail');
      expect(check({ $notBlank: false }, value).status).toBe('pass');
    }
    expect(check({ $exists: true }, '  ').status).toBe('pass');
    expect(check({ $exists: true }, null).status).toBe('pass');
  });

  it('says what was found and what was expected', () => {
    expect(check({ $notBlank: true }, '  ').explanation).toBe(
      'Field value is "", expected a value that is not blank.',
    );
    expect(check({ $notBlank: true }, undefined).explanation).toBe(
      'Field value is not set.',
    );
    expect(check({ $notBlank: false }, 'x').explanation).toBe(
      'Field value is "x", expected no value, or a blank one.',
    );
  });

  it('takes only true or false', () => {
    expect(() => compileRule({ v: { $notBlank: 'yes' } })).toThrow(
      "operator '$notBlank' at v expects true or false, got the string 'yes'",
    );
  });
});

describe('values are compared trimmed', () => {
  it.each([
    [{ $in: [1, 2, 3] }, ' 1 '],
    [{ $hasPrefix: 'url:' }, ' url:https://git'],
    [{ $matches: '^#[a-z]+$' }, '#sec\n'],
    [{ $within: 'P30D' }, ' 2026-11-20 '],
    [{ $entity: { kind: 'Group' } }, ' group:default/team-a '],
  ])('%j passes %j', (filter, value) => {
    expect(check(filter, value).status).toBe('pass');
  });

  it('in equality, and inside $contains', () => {
    const rule = compileRule({
      tier: 'gold',
      'metadata.tags': { $contains: 'java' },
    });
    expect(
      rule.evaluate({ tier: 'Gold ', metadata: { tags: [' java'] } }, scopeAt())
        .outcome,
    ).toBe('pass');
  });
});

describe('$link', () => {
  const links = (...items: object[]) => ({ links: items });
  const scope = scopeAt();
  const rule = compileRule({ links: { $link: 'runbook' } });
  const status = (entity: object) => rule.evaluate(entity, scope).outcome;

  it('counts a link of that type, ignoring case and spaces', () => {
    expect(status(links({ url: 'https://x', type: ' Runbook' }))).toBe('pass');
    expect(status(links({ url: 'https://x', type: 'runbooks' }))).toBe('fail');
  });

  it('counts an untyped link by its icon or a word of its title', () => {
    expect(status(links({ url: 'https://x', icon: 'runbook' }))).toBe('pass');
    expect(status(links({ url: 'https://x', title: 'Runbooks' }))).toBe('pass');
    expect(status(links({ url: 'https://x', title: 'Ops runbook (v2)' }))).toBe(
      'pass',
    );
    expect(
      status(links({ url: 'https://x', type: '', title: 'Runbook' })),
    ).toBe('pass');
    expect(status(links({ url: 'https://x', title: 'Runbookish' }))).toBe(
      'fail',
    );
  });

  it('never counts a link with another type, or without a url', () => {
    expect(
      status(links({ url: 'https://x', type: 'docs', title: 'Runbook' })),
    ).toBe('fail');
    expect(status(links({ url: '  ', type: 'runbook' }))).toBe('fail');
    expect(status(links({ type: 'runbook' }))).toBe('fail');
    expect(status({ links: 'runbook' })).toBe('fail');
    expect(status({})).toBe('fail');
  });

  it('explains which link counted, or the rule', () => {
    const pass = rule.evaluate(
      links({ url: 'https://wiki/rb', title: 'Runbook' }),
      scope,
    );
    expect(explainVerdict(pass)).toBe(
      'There is a runbook link (https://wiki/rb).',
    );
    const fail = rule.evaluate(links(), scope);
    expect(explainVerdict(fail)).toBe(
      'There is no runbook link: no link of type runbook, nor one without a type whose icon or title names a runbook.',
    );
    expect(rule.requirement).toBe('there is a runbook link');
  });

  it('takes a link type', () => {
    expect(() => compileRule({ links: { $link: '' } })).toThrow(
      "operator '$link' at links expects a link type such as 'runbook'",
    );
    expect(() =>
      compileRule({ links: { $link: 'runbook', $exists: true } }),
    ).toThrow("operator '$link' at links cannot share its object");
  });
});

describe('$gt, $gte, $lt, $lte', () => {
  it.each([
    ['$gt', 5, '6', 'pass'],
    ['$gt', 5, '5', 'fail'],
    ['$gte', 5, 5, 'pass'],
    ['$gte', 5, '4.99', 'fail'],
    ['$lt', 0.5, ' .25 ', 'pass'],
    ['$lt', 0.5, '1e3', 'fail'],
    ['$lte', 100, '100', 'pass'],
    ['$lte', 100, '-0', 'pass'],
    ['$gt', 0, '99.9%', 'error'],
    ['$gt', 0, 'high', 'error'],
    ['$gt', 0, true, 'error'],
    ['$gt', 0, ['1'], 'error'],
    ['$gt', 0, undefined, 'fail'],
  ])('%s %p on %p is %s', (operator, limit, value, status) => {
    expect(check({ [operator]: limit }, value).status).toBe(status);
  });

  it('reads a range as one expectation', () => {
    expect(check({ $gte: 0, $lte: 100 }, '101').explanation).toBe(
      'Field value is "101", expected a number between 0 and 100.',
    );
    expect(check({ $gt: 0, $lt: 1 }, '1').explanation).toBe(
      'Field value is "1", expected a number greater than 0 and less than 1.',
    );
  });

  it('parses only plain decimal numbers', () => {
    expect(toNumber('0x10')).toBeNaN();
    expect(toNumber('Infinity')).toBeNaN();
    expect(toNumber('')).toBeNaN();
    expect(toNumber('-1.5e2')).toBe(-150);
  });
});

describe('$within', () => {
  it('passes for dates no older than the duration', () => {
    expect(check({ $within: 'P180D' }, '2026-06-01').explanation).toBe(
      'Field value is "2026-06-01", which is 178 days old.',
    );
    expect(check({ $within: 'P180D' }, '2026-11-26').explanation).toBe(
      'Field value is "2026-11-26", which is today.',
    );
  });

  it('compares a date without a time by whole days', () => {
    // 180 days before 2026-11-26T12:00Z is 2026-05-30T12:00Z; the day counts.
    expect(check({ $within: 'P180D' }, '2026-05-30').status).toBe('pass');
    expect(check({ $within: 'P180D' }, '2026-05-29')).toEqual({
      status: 'fail',
      explanation:
        'Field value is "2026-05-29", which is 181 days old; expected a date within the last 180 days.',
    });
    expect(check({ $within: 'P180D' }, '2026-05-30T11:59:59Z').status).toBe(
      'fail',
    );
  });

  it('follows the calendar for months and years', () => {
    expect(check({ $within: 'P1M' }, '2026-10-26T12:00:00Z').status).toBe(
      'pass',
    );
    expect(check({ $within: 'P1M' }, '2026-10-26T11:59:59Z').status).toBe(
      'fail',
    );
    expect(check({ $within: 'P1Y' }, '2025-11-26').explanation).toBe(
      'Field value is "2025-11-26", which is 365 days old.',
    );
    expect(check({ $within: 'P1Y' }, '2025-11-25').explanation).toMatch(
      /expected a date within the last year\.$/,
    );
  });

  it('accepts offsets and tolerates a date up to a day ahead', () => {
    expect(check({ $within: 'P1D' }, '2026-11-26T13:00:00+02:00').status).toBe(
      'pass',
    );
    expect(check({ $within: 'P1D' }, '2026-11-27').status).toBe('pass');
    expect(check({ $within: 'P1D' }, '2026-11-28')).toEqual({
      status: 'error',
      explanation:
        'Field value is "2026-11-28", which is in the future; expected a date within the last day.',
    });
  });

  it('is an error for text that is not an ISO date, and accepts other ISO forms', () => {
    expect(check({ $within: 'P90D' }, 'last spring').status).toBe('error');
    expect(check({ $within: 'P90D' }, '2026-02-30').status).toBe('error');
    expect(check({ $within: 'P90D' }, 20261001).status).toBe('error');
    expect(check({ $within: 'P90D' }, '2026-W45-1').status).toBe('pass');
    expect(check({ $within: 'P90D' }, undefined).status).toBe('fail');
  });
});

describe('$entity', () => {
  it('resolves refs with defaults kind Group and namespace default', () => {
    expect(check({ $entity: { kind: 'Group' } }, 'team-a').explanation).toBe(
      'Field value is "team-a", which exists.',
    );
    expect(check({ $entity: { kind: 'Group' } }, 'ops/platform').status).toBe(
      'pass',
    );
    expect(
      check({ $entity: { kind: 'Group' } }, 'GROUP:Default/Team-A').status,
    ).toBe('pass');
  });

  it('fails with the reason, never errors', () => {
    expect(check({ $entity: { kind: 'Group' } }, 'user:jdoe')).toEqual({
      status: 'fail',
      explanation:
        'Field value is "user:jdoe", which is not a Group; expected a Group in the catalog.',
    });
    expect(check({ $entity: {} }, 'group:default/ghost').explanation).toBe(
      'Field value is "group:default/ghost", which is not in the catalog; expected an entity in the catalog.',
    );
    expect(check({ $entity: {} }, 'a/b/c').explanation).toMatch(
      /which is not an entity reference/,
    );
    expect(check({ $entity: {} }, 42).status).toBe('fail');
  });

  it('matches the predicate against the entity found', () => {
    const teams = { $entity: { kind: 'Group', 'spec.type': 'team' } };
    expect(check(teams, 'team-a').status).toBe('pass');
    expect(check(teams, 'ops/platform').explanation).toBe(
      'Field value is "ops/platform", which is not an entity where field kind is "Group" and field spec.type is "team"; expected an entity where field kind is "Group" and field spec.type is "team" in the catalog.',
    );
  });
});

describe('custom operators', () => {
  const semver: RuleOperator<number> = {
    name: '$majorAtLeast',
    compile(argument) {
      if (typeof argument !== 'number') {
        throw new Error('expects a major version number');
      }
      return argument;
    },
    describe: major => `a version ${major}.0.0 or later`,
    evaluate(value, major) {
      if (typeof value !== 'string') {
        return { result: 'error', problem: 'is not a version' };
      }
      const found = /^(\d+)\.\d+\.\d+$/.exec(value);
      if (!found) {
        return { result: 'error', problem: 'is not a semantic version' };
      }
      return { result: Number(found[1]) >= major ? 'pass' : 'fail' };
    },
  };

  it('evaluates, explains, and never errors on a missing value', () => {
    const options = { operators: [semver] };
    expect(check({ $majorAtLeast: 2 }, '2.1.0', options).status).toBe('pass');
    expect(check({ $majorAtLeast: 2 }, '1.9.9', options).status).toBe('fail');
    expect(check({ $majorAtLeast: 2 }, 'v2', options)).toEqual({
      status: 'error',
      explanation:
        'Field value is "v2", which is not a semantic version; expected a version 2.0.0 or later.',
    });
    expect(check({ $majorAtLeast: 2 }, undefined, options).status).toBe('fail');
  });

  it('turns an exception while evaluating into an error', () => {
    const throwing: RuleOperator = {
      name: '$boom',
      compile: argument => argument,
      describe: () => 'anything',
      evaluate() {
        throw new Error('kaput');
      },
    };
    expect(check({ $boom: 1 }, 'x', { operators: [throwing] })).toEqual({
      status: 'error',
      explanation:
        'Field value is "x", which $boom could not check (kaput); expected anything.',
    });
  });

  it('reports a bad argument with the module message', () => {
    expect(() =>
      compileRule(
        { v: { $majorAtLeast: 'two' } },
        new OperatorRegistry([semver]),
      ),
    ).toThrow("operator '$majorAtLeast' at v: expects a major version number");
  });

  it('refuses names that clash or are malformed', () => {
    expect(
      () => new OperatorRegistry([{ ...semver, name: '$within' }]),
    ).toThrow("Rule operator '$within' is already defined");
    expect(
      () => new OperatorRegistry([{ ...semver, name: 'nope' as '$x' }]),
    ).toThrow("Invalid rule operator name 'nope'");
  });
});
