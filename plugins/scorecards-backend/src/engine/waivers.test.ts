import {
  declaredApiWaiver,
  parseWaiverAnnotation,
  readWaiverAnnotations,
  selectWaiver,
} from './waivers';

const context = {
  entityRef: 'component:default/batch',
  grantedBy: 'group:default/team-data',
};

describe('parseWaiverAnnotation', () => {
  it('reads "<expiry date>: <reason>", waiving through the end of that day', () => {
    expect(
      parseWaiverAnnotation(
        'chaos-practice',
        '2027-03-31: Batch job without user traffic; chaos tooling arrives in Q1',
        context,
      ),
    ).toEqual({
      checkId: 'chaos-practice',
      annotation: 'guardrails.dev/waive.chaos-practice',
      expiresAtMs: Date.UTC(2027, 2, 31, 23, 59, 59, 999),
      waiver: {
        entityRef: 'component:default/batch',
        checkId: 'chaos-practice',
        reason: 'Batch job without user traffic; chaos tooling arrives in Q1',
        expiresAt: '2027-03-31T23:59:59.999Z',
        grantedBy: 'group:default/team-data',
        source: 'annotation',
      },
    });
  });

  it('refuses a reason longer than an API waiver may give', () => {
    const declared = parseWaiverAnnotation(
      'on-call',
      `2027-03-31: ${'x'.repeat(2001)}`,
      context,
    );
    expect(declared.waiver).toBeUndefined();
    expect(declared.problem).toMatch(
      /^the waiver is malformed \(the reason is longer than 2000 characters\)/,
    );
  });

  it('accepts a date-time, and a date directly followed by the colon', () => {
    expect(
      parseWaiverAnnotation('x', '2027-03-31T12:00:00Z: until noon', context)
        .waiver?.expiresAt,
    ).toBe('2027-03-31T12:00:00.000Z');
    expect(
      parseWaiverAnnotation('x', '2027-03-31:tight', context).waiver?.reason,
    ).toBe('tight');
  });

  it.each([
    ['soon', 'no expiry date'],
    ['someday: later', "'someday' is not an ISO date"],
    ['2027-02-30: bad day', "'2027-02-30' is not an ISO date"],
    ['2027-03-31:', 'no reason after the date'],
    ['2027-03-31:   ', 'no reason after the date'],
  ])('explains why %p is malformed', (value, problem) => {
    const declared = parseWaiverAnnotation('x', value, context);
    expect(declared.waiver).toBeUndefined();
    expect(declared.problem).toBe(
      `the waiver is malformed (${problem}); write it as "<expiry date>: <reason>", e.g. "2027-03-31: Batch job without user traffic"`,
    );
  });
});

describe('readWaiverAnnotations', () => {
  it('finds every waiver annotation and nothing else', () => {
    const found = readWaiverAnnotations(
      {
        'guardrails.dev/waive.a': '2027-01-01: one',
        'guardrails.dev/waive.b': 'oops',
        'guardrails.dev/slo-target': '99.9',
      },
      context,
    );
    expect(found.map(w => [w.checkId, Boolean(w.waiver)])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    expect(readWaiverAnnotations(['x'], context)).toEqual([]);
  });
});

describe('selectWaiver', () => {
  const now = Date.UTC(2026, 10, 26);
  const current = parseWaiverAnnotation('x', '2027-01-01: current', context);
  const later = parseWaiverAnnotation('x', '2027-06-01: later', context);
  const expired = parseWaiverAnnotation('x', '2026-01-31: old', context);
  const malformed = parseWaiverAnnotation('x', 'oops', context);

  it('applies the current waiver that lasts longest', () => {
    const selected = selectWaiver([expired, current, later, malformed], now);
    expect(selected.current).toBe(later);
    expect(selected.until).toBe('2027-06-01');
    expect(selected.outcome).toEqual({ applied: true, waiver: later.waiver });
  });

  it('says why nothing applies: expired before malformed', () => {
    expect(selectWaiver([malformed, expired], now).outcome).toEqual({
      applied: false,
      waiver: expired.waiver,
      problem: 'the waiver expired on 2026-01-31',
    });
    expect(selectWaiver([malformed], now).outcome.problem).toMatch(
      /^the waiver is malformed/,
    );
  });

  it('checks the expiry of API waivers', () => {
    const api = declaredApiWaiver({
      entityRef: context.entityRef,
      checkId: 'x',
      reason: 'r',
      expiresAt: 'tomorrow',
      grantedBy: 'user:default/jane',
      source: 'api',
    });
    expect(api.problem).toBe(
      "the waiver has an invalid expiry date 'tomorrow'",
    );
    expect(selectWaiver([api], now).outcome.applied).toBe(false);
  });
});
