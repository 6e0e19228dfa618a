/**
 * The part of a catalog entity that `$entity` rules can look at.
 */
export interface CatalogIndexEntity {
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  spec?: { [key: string]: unknown };
  [key: string]: unknown;
}

/**
 * The catalog entities a rule may refer to with `$entity`, looked up by lower-case full ref
 * (`kind:namespace/name`).
 */
export interface CatalogIndex {
  get(ref: string): CatalogIndexEntity | undefined;
}

/**
 * The full, lower-case ref of an entity (`kind:namespace/name`), the form results are keyed by.
 */
export function entityRefOf(entity: {
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown } | unknown;
}): string {
  const metadata = (entity.metadata ?? {}) as {
    name?: unknown;
    namespace?: unknown;
  };
  const namespace = metadata.namespace ? String(metadata.namespace) : 'default';
  return `${String(entity.kind ?? '')}:${namespace}/${String(
    metadata.name ?? '',
  )}`.toLowerCase();
}

const groupRefCache = new Map<string, string | null>();
const REF_CACHE_LIMIT = 100_000;

/**
 * Completes a possibly shortened entity ref (`name`, `namespace/name`, `kind:name`) with the given
 * defaults and lower-cases it; undefined when it is not a ref.
 */
export function normalizeEntityRef(
  ref: string,
  defaults: { kind: string; namespace: string },
): string | undefined {
  if (isCanonicalRef(ref)) {
    return ref;
  }
  if (defaults.kind === 'group' && defaults.namespace === 'default') {
    // Rules resolve the same few thousand refs over and over.
    let cached = groupRefCache.get(ref);
    if (cached === undefined) {
      cached = normalize(ref, defaults) ?? null;
      if (groupRefCache.size >= REF_CACHE_LIMIT) {
        groupRefCache.clear();
      }
      groupRefCache.set(ref, cached);
    }
    return cached ?? undefined;
  }
  return normalize(ref, defaults);
}

/** Whether a ref is already full and lower-case, as catalog relations are. */
function isCanonicalRef(ref: string): boolean {
  let colon = -1;
  let slash = -1;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c === 58) {
      if (colon !== -1 || slash !== -1) {
        return false;
      }
      colon = i;
    } else if (c === 47) {
      if (slash !== -1) {
        return false;
      }
      slash = i;
    } else if ((c >= 65 && c <= 90) || c > 127) {
      return false;
    }
  }
  return colon > 0 && slash > colon + 1 && slash < ref.length - 1;
}

function normalize(
  ref: string,
  defaults: { kind: string; namespace: string },
): string | undefined {
  const colon = ref.indexOf(':');
  const kind = colon === -1 ? defaults.kind : ref.slice(0, colon);
  const rest = colon === -1 ? ref : ref.slice(colon + 1);
  const slash = rest.indexOf('/');
  const namespace = slash === -1 ? defaults.namespace : rest.slice(0, slash);
  const name = slash === -1 ? rest : rest.slice(slash + 1);
  if (
    !kind ||
    !namespace ||
    !name ||
    name.includes('/') ||
    name.includes(':')
  ) {
    return undefined;
  }
  return `${kind}:${namespace}/${name}`.toLowerCase();
}

/**
 * Builds a {@link CatalogIndex} from a list of entities.
 */
export function createCatalogIndex(
  entities: Iterable<CatalogIndexEntity>,
): CatalogIndex {
  const byRef = new Map<string, CatalogIndexEntity>();
  for (const entity of entities) {
    byRef.set(entityRefOf(entity), entity);
  }
  return { get: ref => byRef.get(ref) };
}
