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

/**
 * Completes a possibly shortened entity ref (`name`, `namespace/name`, `kind:name`) with the given
 * defaults and lower-cases it; undefined when it is not a ref.
 */
export function normalizeEntityRef(
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
