import {
  Entity,
  RELATION_OWNED_BY,
  RELATION_PART_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { EntityInfo, OrgEntity, OrgGroup } from '../database';
import { normalizeEntityRef } from '../engine';

export type { OrgEntity, OrgGroup } from '../database';

/** The fields of every entity a snapshot needs. */
export const SNAPSHOT_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'spec.type',
  'spec.parent',
  'spec.domain',
  'spec.profile.displayName',
];

/**
 * What the run knows about the whole catalog: every entity by ref (lightly), for rules that
 * ask whether a referenced entity exists, and the structure that rollups follow (the group tree,
 * which domain each system belongs to).
 */
export class CatalogSnapshot {
  readonly #entities = new Map<string, Entity>();

  /** Builds a snapshot from entities read with at least {@link SNAPSHOT_FIELDS}. */
  static from(entities: Iterable<Entity>): CatalogSnapshot {
    const snapshot = new CatalogSnapshot();
    for (const entity of entities) {
      snapshot.add(entity);
    }
    return snapshot;
  }

  /** Adds one entity. */
  add(entity: Entity): void {
    this.#entities.set(stringifyEntityRef(entity), entity);
  }

  /** The entity with this full, lower-case ref, if the catalog has it. */
  get(ref: string): Entity | undefined {
    return this.#entities.get(ref);
  }

  /** How many entities the snapshot holds. */
  get size(): number {
    return this.#entities.size;
  }

  /** Every Group, with its parent, for the rollup's tree. */
  groups(): OrgGroup[] {
    const groups: OrgGroup[] = [];
    for (const [ref, entity] of this.#entities) {
      if (entity.kind.toLocaleLowerCase('en-US') !== 'group') {
        continue;
      }
      const spec = entity.spec as
        | { type?: string; parent?: string; profile?: { displayName?: string } }
        | undefined;
      const parentRef = optionalRefOf(
        spec?.parent,
        'group',
        entity.metadata.namespace,
      );
      groups.push({
        ref,
        title:
          spec?.profile?.displayName ??
          entity.metadata.title ??
          entity.metadata.name,
        type: spec?.type,
        parentRef:
          parentRef && this.#entities.has(parentRef) ? parentRef : undefined,
      });
    }
    return groups.sort((a, b) => a.ref.localeCompare(b.ref));
  }

  /** Every entity of a kind (`system`, `domain`), with its title, for rollups and scopes. */
  ofKind(kind: 'system' | 'domain'): OrgEntity[] {
    const found: OrgEntity[] = [];
    for (const [ref, entity] of this.#entities) {
      if (entity.kind.toLocaleLowerCase('en-US') === kind) {
        found.push({
          ref,
          title: entity.metadata.title ?? entity.metadata.name,
        });
      }
    }
    return found.sort((a, b) => a.ref.localeCompare(b.ref));
  }

  /**
   * What rollups and drill-downs need to know about an entity: its owner, system and domain
   * (a component's domain is its system's).
   */
  infoOf(entity: Entity): EntityInfo {
    const entityRef = stringifyEntityRef(entity);
    const kind = entity.kind.toLocaleLowerCase('en-US');
    const spec = (entity.spec ?? {}) as {
      type?: unknown;
      lifecycle?: unknown;
      system?: unknown;
      domain?: unknown;
    };
    const namespace = entity.metadata.namespace;
    const ownerRef = relationTarget(entity, RELATION_OWNED_BY);

    let systemRef: string | undefined;
    let domainRef: string | undefined;
    if (kind === 'system') {
      domainRef =
        relationTarget(entity, RELATION_PART_OF, 'domain') ??
        optionalRefOf(spec.domain, 'domain', namespace);
    } else if (kind === 'domain') {
      domainRef = entityRef;
    } else {
      systemRef =
        relationTarget(entity, RELATION_PART_OF, 'system') ??
        optionalRefOf(spec.system, 'system', namespace);
      const system = systemRef ? this.#entities.get(systemRef) : undefined;
      domainRef = optionalRefOf(
        (system?.spec as { domain?: unknown } | undefined)?.domain,
        'domain',
        system?.metadata.namespace,
      );
    }

    return {
      entityRef,
      kind,
      type: typeof spec.type === 'string' ? spec.type : undefined,
      title: entity.metadata.title,
      lifecycle:
        typeof spec.lifecycle === 'string' ? spec.lifecycle : undefined,
      ownerRef,
      ownerExists: ownerRef ? this.#entities.has(ownerRef) : undefined,
      systemRef,
      domainRef,
    };
  }
}

function relationTarget(
  entity: Entity,
  type: string,
  kind?: string,
): string | undefined {
  return entity.relations?.find(
    r => r.type === type && (!kind || r.targetRef.startsWith(`${kind}:`)),
  )?.targetRef;
}

function optionalRefOf(
  ref: unknown,
  kind: string,
  namespace = 'default',
): string | undefined {
  return typeof ref === 'string' && ref
    ? normalizeEntityRef(ref, { kind, namespace })
    : undefined;
}
