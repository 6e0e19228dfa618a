import {
  createPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';

/**
 * Allows granting and revoking waivers on a catalog entity. A resource permission on
 * `catalog-entity`, so a policy can let owners waive checks on their own entities only.
 *
 * @public
 */
export const scorecardsWaiverManagePermission: ResourcePermission<'catalog-entity'> =
  createPermission({
    name: 'scorecards.waiver.manage',
    attributes: { action: 'create' },
    resourceType: 'catalog-entity',
  });

/**
 * Allows pushing facts about entities, for the systems that feed the scorecards.
 *
 * @public
 */
export const scorecardsFactWritePermission = createPermission({
  name: 'scorecards.fact.write',
  attributes: { action: 'create' },
});

/**
 * Every permission of the scorecards plugin.
 *
 * @public
 */
export const scorecardsPermissions = [
  scorecardsWaiverManagePermission,
  scorecardsFactWritePermission,
];
