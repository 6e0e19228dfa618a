import { scorecardsPermissions } from './permissions';

describe('permissions', () => {
  it('names each permission once', () => {
    const names = scorecardsPermissions.map(p => p.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
