import {
  createCatalogIndex,
  entityRefOf,
  normalizeEntityRef,
} from './catalogIndex';

const defaults = { kind: 'group', namespace: 'default' };

describe('normalizeEntityRef', () => {
  it.each([
    ['team-a', 'group:default/team-a'],
    ['ops/platform', 'group:ops/platform'],
    ['User:jdoe', 'user:default/jdoe'],
    ['Group:Default/Team-A', 'group:default/team-a'],
    ['group:default/team-a', 'group:default/team-a'],
  ])('completes %p as %p', (ref, full) => {
    expect(normalizeEntityRef(ref, defaults)).toBe(full);
  });

  it.each(['', ':x', 'a/b/c', 'group:', 'group:ns/', 'kind:ns/na:me'])(
    'rejects %p',
    ref => {
      expect(normalizeEntityRef(ref, defaults)).toBeUndefined();
    },
  );

  it('uses the given defaults', () => {
    expect(
      normalizeEntityRef('svc', { kind: 'component', namespace: 'ops' }),
    ).toBe('component:ops/svc');
  });
});

describe('createCatalogIndex', () => {
  it('finds entities by lower-case full ref', () => {
    const team = { kind: 'Group', metadata: { name: 'Team-A' } };
    const index = createCatalogIndex([team]);
    expect(index.get('group:default/team-a')).toBe(team);
    expect(index.get('group:default/Team-A')).toBeUndefined();
    expect(
      entityRefOf({
        kind: 'API',
        metadata: { name: 'Orders', namespace: 'Shop' },
      }),
    ).toBe('api:shop/orders');
  });
});
