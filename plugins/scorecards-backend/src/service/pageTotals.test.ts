import { PageTotals } from './pageTotals';

describe('PageTotals', () => {
  it('keeps totals by filter for one version of the store', () => {
    const totals = new PageTotals();
    totals.set(3, { scorecardId: 'production-readiness', search: 'api' }, 12);
    expect(
      totals.get(3, { search: 'api', scorecardId: 'production-readiness' }),
    ).toBe(12);
    expect(
      totals.get(3, { scorecardId: 'production-readiness', search: 'web' }),
    ).toBeUndefined();
    expect(
      totals.get(3, {
        scorecardId: 'production-readiness',
        search: 'api',
        entityRefs: ['component:default/a'],
      }),
    ).toBeUndefined();
    expect(
      totals.get(4, { scorecardId: 'production-readiness', search: 'api' }),
    ).toBeUndefined();
  });

  it('drops every total when the version moves, and ignores counts of an older one', () => {
    const totals = new PageTotals();
    const filter = { scorecardId: 'production-readiness' };
    totals.set(3, filter, 12);
    totals.set(4, { ...filter, level: 'Gold' }, 2);
    expect(totals.get(3, filter)).toBeUndefined();
    totals.set(3, filter, 12);
    expect(totals.get(4, filter)).toBeUndefined();
    expect(totals.get(4, { ...filter, level: 'Gold' })).toBe(2);
  });
});
