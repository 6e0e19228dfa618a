import type { OrgGroup } from '../run/CatalogSnapshot';

/**
 * The organisation's groups as a tree, for rollups that follow it transitively: a department
 * counts the entities of every team below it.
 */
export class OrgTree {
  readonly #groups = new Map<string, OrgGroup>();
  readonly #children = new Map<string, string[]>();

  constructor(groups: OrgGroup[]) {
    for (const group of groups) {
      this.#groups.set(group.ref, group);
    }
    for (const group of groups) {
      if (group.parentRef && this.#groups.has(group.parentRef)) {
        const siblings = this.#children.get(group.parentRef) ?? [];
        siblings.push(group.ref);
        this.#children.set(group.parentRef, siblings);
      }
    }
  }

  /** The group with this ref, if the catalog has it. */
  get(ref: string): OrgGroup | undefined {
    return this.#groups.get(ref);
  }

  /** Groups without a parent in the catalog, sorted by title. */
  roots(): OrgGroup[] {
    return [...this.#groups.values()]
      .filter(g => !g.parentRef || !this.#groups.has(g.parentRef))
      .sort(byTitle);
  }

  /** Direct children of a group, sorted by title. */
  children(ref: string): OrgGroup[] {
    return (this.#children.get(ref) ?? [])
      .map(r => this.#groups.get(r)!)
      .sort(byTitle);
  }

  /** The group and every group below it. */
  subtree(ref: string): string[] {
    const refs: string[] = [];
    const seen = new Set<string>();
    const stack = [ref];
    while (stack.length) {
      const next = stack.pop()!;
      // A cycle in the catalog's parent links must not loop forever.
      if (seen.has(next)) continue;
      seen.add(next);
      refs.push(next);
      stack.push(...(this.#children.get(next) ?? []));
    }
    return refs;
  }

  /**
   * The tree of the groups a caller may read: a group they may not read is left out, and the
   * groups below it hang from its nearest ancestor they may read.
   */
  visibleTo(visible: ReadonlySet<string>): OrgTree {
    return new OrgTree(
      [...this.#groups.values()]
        .filter(group => visible.has(group.ref))
        .map(group => ({
          ...group,
          parentRef: group.parentRef
            ? this.ancestry(group.parentRef).find(ref => visible.has(ref))
            : undefined,
        })),
    );
  }

  /** The group and its ancestors, nearest first. */
  ancestry(ref: string): string[] {
    const refs: string[] = [];
    const seen = new Set<string>();
    let next: string | undefined = ref;
    while (next && this.#groups.has(next) && !seen.has(next)) {
      seen.add(next);
      refs.push(next);
      next = this.#groups.get(next)!.parentRef;
    }
    return refs;
  }
}

function byTitle(a: OrgGroup, b: OrgGroup) {
  return a.title.localeCompare(b.title);
}
