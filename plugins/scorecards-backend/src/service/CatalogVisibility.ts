import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';

/** The entities a caller may read: every one, or those in a set of refs. */
export type Visible = 'all' | ReadonlySet<string>;

/** Whether the caller may read the entity with this ref. */
export function isVisible(visible: Visible, ref: string): boolean {
  return visible === 'all' || visible.has(ref);
}

/** How long a caller's readable entities are kept before the catalog is asked again. */
const CACHE_TTL_MS = 60_000;
/** The most callers whose readable entities are kept at once, the least recent dropped. */
const CACHE_CALLERS = 50;
const REF_FIELDS = ['kind', 'metadata.namespace', 'metadata.name'];

/**
 * What each caller may read in the catalog, as the permission policy and the catalog decide:
 * one entity (an answer about it is otherwise a 404), or every entity of the kinds answers
 * mention (lists, totals and rollups count no other).
 * A policy that allows (or denies) every read settles it without the catalog. A conditional
 * decision is the catalog's to apply: it is asked, on the caller's behalf, for the refs the
 * caller may read, and the answer is kept for a minute per caller and decision.
 */
export class CatalogVisibility {
  readonly #permissions: PermissionsService;
  readonly #catalog: CatalogService;
  readonly #clock: () => number;
  readonly #kinds: () => Promise<string[]>;
  readonly #cache = new Map<
    string,
    { expiresAt: number; visible: Promise<Visible> }
  >();

  constructor(options: {
    permissions: PermissionsService;
    catalog: CatalogService;
    /**
     * The kinds of entity that answers count or name; the catalog is asked only about those
     * (a caller may read thousands of Users that no answer mentions).
     */
    kinds: () => Promise<string[]>;
    /** Milliseconds since the epoch; injectable so tests control it. */
    clock?: () => number;
  }) {
    this.#permissions = options.permissions;
    this.#catalog = options.catalog;
    this.#kinds = options.kinds;
    this.#clock = options.clock ?? Date.now;
  }

  /** The permission policy's decision on the caller's catalog reads. */
  async decision(credentials: BackstageCredentials): Promise<PolicyDecision> {
    const [decision] = await this.#permissions.authorizeConditional(
      [{ permission: catalogEntityReadPermission }],
      { credentials },
    );
    return decision;
  }

  /** Every entity the caller may read. */
  async visible(credentials: BackstageCredentials): Promise<Visible> {
    const decision = await this.decision(credentials);
    if (decision.result !== AuthorizeResult.CONDITIONAL) {
      return decision.result === AuthorizeResult.ALLOW ? 'all' : new Set();
    }
    // Keyed by the conditions too: a caller whose claims changed gets a decision of its own.
    const key = JSON.stringify([
      principalOf(credentials),
      decision.pluginId,
      decision.resourceType,
      decision.conditions,
    ]);
    const now = this.#clock();
    const cached = this.#cache.get(key);
    this.#cache.delete(key);
    if (cached && cached.expiresAt > now) {
      this.#cache.set(key, cached);
      return cached.visible;
    }
    const entry = {
      expiresAt: now + CACHE_TTL_MS,
      visible: this.#read(credentials),
    };
    this.#cache.set(key, entry);
    entry.visible.catch(() => {
      if (this.#cache.get(key) === entry) this.#cache.delete(key);
    });
    for (const oldest of this.#cache.keys()) {
      if (this.#cache.size <= CACHE_CALLERS) break;
      this.#cache.delete(oldest);
    }
    return entry.visible;
  }

  /**
   * Throws 404 unless the caller may read the entity in the catalog. Writes pass `mustExist`,
   * so the catalog confirms the entity exists even when the policy allows every read.
   */
  async assertVisible(
    entityRef: string,
    credentials: BackstageCredentials,
    { mustExist = false }: { mustExist?: boolean } = {},
  ): Promise<void> {
    // The policy settles it without the catalog unless its decision is conditional.
    const { result } = await this.decision(credentials);
    if (result === AuthorizeResult.ALLOW && !mustExist) {
      return;
    }
    const items =
      result === AuthorizeResult.DENY
        ? []
        : (
            await this.#catalog.getEntitiesByRefs(
              { entityRefs: [entityRef], fields: ['kind'] },
              { credentials },
            )
          ).items;
    if (!items[0]) {
      throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    }
  }

  /** The refs of the entities the catalog lets the caller read. */
  async #read(credentials: BackstageCredentials): Promise<Visible> {
    // One request without paging: paged queries count the matches on every page.
    const { items } = await this.#catalog.getEntities(
      { filter: { kind: await this.#kinds() }, fields: REF_FIELDS },
      { credentials },
    );
    return new Set(items.map(entity => stringifyEntityRef(entity)));
  }
}

function principalOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  return `${principal.type}:${principal.userEntityRef ?? principal.subject}`;
}
