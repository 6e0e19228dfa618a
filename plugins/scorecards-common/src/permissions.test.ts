import { isResourcePermission } from '@backstage/plugin-permission-common';
import {
  scorecardsFactWritePermission,
  scorecardsWaiverManagePermission,
} from './permissions';

describe('permissions', () => {
  it('lets policies decide waivers per catalog entity, e.g. owners only', () => {
    expect(
      isResourcePermission(scorecardsWaiverManagePermission, 'catalog-entity'),
    ).toBe(true);
  });

  it('guards fact writes with a basic permission', () => {
    expect(isResourcePermission(scorecardsFactWritePermission)).toBe(false);
    expect(scorecardsFactWritePermission.name).toBe('scorecards.fact.write');
  });
});
