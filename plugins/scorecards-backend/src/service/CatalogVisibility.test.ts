import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { CatalogVisibility } from './CatalogVisibility';

const entities = [
  { kind: 'Component', name: 'checkout' },
  { kind: 'Group', name: 'team-a' },
  { kind: 'User', name: 'jane' },
].map(({ kind, name }) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name, namespace: 'default' },
}));

const conditional = (claims: string[]): PolicyDecision =>
  createCatalogConditionalDecision(
    catalogEntityReadPermission,
    catalogConditions.isEntityOwner({ claims }),
  );

describe('CatalogVisibility', () => {
  let decision: PolicyDecision;
  let now: number;
  const catalog = catalogServiceMock.mock({
    getEntities: async () => ({ items: entities }),
  });
  const visibility = new CatalogVisibility({
    permissions: mockServices.permissions.mock({
      authorizeConditional: async () => [decision],
    }),
    catalog,
    kinds: async () => ['component', 'group'],
    clock: () => now,
  });
  const jane = mockCredentials.user('user:default/jane');

  beforeEach(() => {
    now = 0;
    catalog.getEntities.mockClear();
  });

  it('settles a policy that allows or denies every read without the catalog', async () => {
    decision = { result: AuthorizeResult.ALLOW };
    expect(await visibility.visible(jane)).toBe('all');
    decision = { result: AuthorizeResult.DENY };
    expect(await visibility.visible(jane)).toEqual(new Set());
    expect(catalog.getEntities).not.toHaveBeenCalled();
  });

  it('asks the catalog, as the caller, about the kinds answers mention', async () => {
    decision = conditional(['user:default/jane']);
    expect(await visibility.visible(jane)).toEqual(
      new Set([
        'component:default/checkout',
        'group:default/team-a',
        'user:default/jane',
      ]),
    );
    expect(catalog.getEntities).toHaveBeenCalledWith(
      {
        filter: { kind: ['component', 'group'] },
        fields: ['kind', 'metadata.namespace', 'metadata.name'],
      },
      { credentials: jane },
    );
  });

  it('keeps the answer a minute per caller and decision', async () => {
    decision = conditional(['user:default/jane', 'group:default/team-b']);
    await visibility.visible(jane);
    now = 59_000;
    await visibility.visible(jane);
    expect(catalog.getEntities).toHaveBeenCalledTimes(1);

    await visibility.visible(mockCredentials.user('user:default/sam'));
    decision = conditional(['user:default/jane', 'group:default/team-c']);
    await visibility.visible(jane);
    expect(catalog.getEntities).toHaveBeenCalledTimes(3);

    now = 120_000;
    await visibility.visible(jane);
    expect(catalog.getEntities).toHaveBeenCalledTimes(4);
  });

  it('does not keep a failure', async () => {
    decision = conditional(['user:default/kim']);
    const kim = mockCredentials.user('user:default/kim');
    catalog.getEntities.mockRejectedValueOnce(new Error('catalog down'));
    await expect(visibility.visible(kim)).rejects.toThrow('catalog down');
    await expect(visibility.visible(kim)).resolves.toBeInstanceOf(Set);
  });
});
