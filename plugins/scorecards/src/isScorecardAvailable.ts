import type { Entity } from '@backstage/catalog-model';

/**
 * Whether an entity is of a kind the built-in "Production readiness" scorecard applies to
 * (a Component), for showing the scorecard tab and card conditionally in the legacy frontend
 * system:
 *
 * ```tsx
 * <EntitySwitch.Case if={isScorecardAvailable}>...</EntitySwitch.Case>
 * ```
 *
 * An entity that is a Component but matches no scorecard shows "No scorecard applies".
 *
 * @public
 */
export function isScorecardAvailable(entity: Entity): boolean {
  return entity.kind.toLocaleLowerCase('en-US') === 'component';
}
