import { getJsonValueAtPath } from '@backstage/filter-predicates';

/**
 * Reads the value at a dotted path, or undefined. Given the view of the entity built by the
 * layout that compiled the reader, it takes the direct route.
 */
export type PathReader = (root: unknown, view: EntityView | undefined) => any;

/**
 * What one pass over an entity tells the compiled readers: the values of the annotations they
 * read, by slot, and that no unusual key (a dotted key in the entity's structure, or an
 * annotation or label named like a dot-prefix of one that is read) can make a path ambiguous.
 */
export interface EntityView {
  readonly layout: PathLayout;
  /** Annotation values by slot. */
  readonly annotations: unknown[];
  /** Whether the entity has an annotation starting with the waiver prefix. */
  readonly hasWaiverAnnotations: boolean;
}

interface Step {
  readonly path: string;
  /** Keys that may hold the next value: every dot-prefix of the path, and the path itself. */
  readonly keys: string[];
  /** Whether a plain object inherits the key (`constructor`, `toString`…): then own-ness counts. */
  readonly inherited: boolean[];
  /** The step for the rest of the path after each key; undefined for the whole path. */
  readonly rests: Array<Step | undefined>;
}

const hasOwn = Object.prototype.hasOwnProperty;

const STRUCTURAL = new Set(['metadata', 'spec', 'status']);

function buildStep(path: string, memo: Map<string, Step>): Step {
  const known = memo.get(path);
  if (known) {
    return known;
  }
  const keys: string[] = [];
  const rests: Array<Step | undefined> = [];
  const step: Step = { path, keys, rests, inherited: [] };
  memo.set(path, step);
  for (
    let dot = path.indexOf('.');
    dot !== -1;
    dot = path.indexOf('.', dot + 1)
  ) {
    const rest = path.slice(dot + 1);
    keys.push(path.slice(0, dot));
    rests.push(rest ? buildStep(rest, memo) : undefined);
  }
  keys.push(path);
  rests.push(undefined);
  keys.forEach(key => step.inherited.push(key in Object.prototype));
  return step;
}

function read(step: Step, value: any): any {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return undefined;
  }
  const keys = step.keys;
  const inherited = step.inherited;
  let found = -1;
  let next: any;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    // A key whose value is undefined never yields anything in the library either, so a plain
    // property read replaces the slower own-property test for keys objects do not inherit.
    const candidate =
      !inherited[i] || hasOwn.call(value, key) ? value[key] : undefined;
    if (candidate !== undefined) {
      if (found !== -1) {
        // Several keys could hold the value; the library's answer depends on key order.
        return getJsonValueAtPath(value, step.path);
      }
      found = i;
      next = candidate;
    }
  }
  if (found === -1 || found === keys.length - 1) {
    return next;
  }
  const rest = step.rests[found];
  return rest ? read(rest, next) : undefined;
}

function own(value: any, key: string, inherited: boolean): any {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return undefined;
  }
  if (inherited && !hasOwn.call(value, key)) {
    return undefined;
  }
  return value[key];
}

const KEYED_MAPS = ['metadata.annotations.', 'metadata.labels.'];

/** The dot-prefixes of a key, e.g. `pagerduty` for `pagerduty.com/integration-key`. */
function dotPrefixes(key: string): string[] {
  const prefixes: string[] = [];
  for (
    let dot = key.indexOf('.');
    dot !== -1;
    dot = key.indexOf('.', dot + 1)
  ) {
    prefixes.push(key.slice(0, dot));
  }
  return prefixes;
}

/** Whether an object and its `metadata`, `spec` and `status` objects have no dotted key. */
function hasPlainStructure(root: unknown): boolean {
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    return false;
  }
  const keys = Object.keys(root);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key.indexOf('.') !== -1) {
      return false;
    }
    if (STRUCTURAL.has(key)) {
      const child = (root as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') {
        const childKeys = Object.keys(child);
        for (let j = 0; j < childKeys.length; j++) {
          if (childKeys[j].indexOf('.') !== -1) {
            return false;
          }
        }
      }
    }
  }
  return true;
}

/**
 * Compiles the paths of one engine and builds, per entity, the view their readers share. The
 * readers return exactly what `getJsonValueAtPath` from `@backstage/filter-predicates` returns
 * (keys may contain dots, arrays are not traversed); with a view they read annotations from slots
 * filled in one pass, instead of a hash lookup per rule (annotation objects come in too many
 * shapes for V8's caches).
 */
export class PathLayout {
  /** Annotation keys the readers read, by slot; -1 for dot-prefixes of such keys. */
  readonly #slots = new Map<string, number>();
  #slotCount = 0;
  readonly #annotationPrefixes = new Set<string>();
  readonly #labelPrefixes = new Set<string>();
  #scratch:
    | {
        layout: PathLayout;
        annotations: unknown[];
        hasWaiverAnnotations: boolean;
      }
    | undefined;
  /** Slot by annotation key, -1 for a key whose presence makes paths ambiguous. */
  readonly #slotOf = new Map<string, number>();

  /** Compiles a path; all paths must be compiled before the first view is built. */
  compile(path: string): PathReader {
    if (!path) {
      return () => undefined;
    }
    const step = buildStep(path, new Map());
    const segments = path.split('.');
    if (segments.length === 1) {
      return root => read(step, root);
    }
    const keyed = KEYED_MAPS.find(prefix => path.startsWith(prefix));
    if (keyed === KEYED_MAPS[0]) {
      const key = path.slice(keyed.length);
      dotPrefixes(key).forEach(p => this.#annotationPrefixes.add(p));
      let slot = this.#slots.get(key);
      if (slot === undefined || slot === -1) {
        slot = this.#slotCount++;
        this.#slots.set(key, slot);
      }
      const index = slot;
      return (root, view) =>
        view !== undefined && view.layout === this
          ? view.annotations[index]
          : read(step, root);
    }
    if (keyed) {
      const key = path.slice(keyed.length);
      dotPrefixes(key).forEach(p => this.#labelPrefixes.add(p));
      const inherited = key in Object.prototype;
      return (root: any, view) => {
        if (view === undefined || view.layout !== this) {
          return read(step, root);
        }
        const metadata = root.metadata;
        if (metadata === null || typeof metadata !== 'object') {
          return undefined;
        }
        return own(metadata.labels, key, inherited);
      };
    }
    // With a view, the first segment (and the second under metadata, spec or status) is the
    // only key that can match at its level.
    const natural = segments.length > 2 && STRUCTURAL.has(segments[0]) ? 2 : 1;
    const prefix = segments.slice(0, natural);
    const inherited = prefix.map(key => key in Object.prototype);
    const restPath = segments.slice(natural).join('.');
    const restStep = restPath ? buildStep(restPath, new Map()) : undefined;
    return (root, view) => {
      if (view === undefined || view.layout !== this) {
        return read(step, root);
      }
      if (!restStep) {
        return undefined;
      }
      let value: any = own(root, prefix[0], inherited[0]);
      if (natural === 2) {
        value = own(value, prefix[1], inherited[1]);
      }
      return read(restStep, value);
    };
  }

  /**
   * Builds the view of an entity for the readers of this layout, or undefined when the entity
   * has a key that could make a path ambiguous (the readers then take the general route). The
   * view is reused by the next call.
   */
  view(entity: unknown, waiverPrefix: string): EntityView | undefined {
    if (!hasPlainStructure(entity)) {
      return undefined;
    }
    if (!this.#scratch) {
      for (const [key, slot] of this.#slots) {
        this.#slotOf.set(key, slot);
      }
      // A dot-prefix of a read key is ambiguous when present, even if it is read itself.
      for (const prefix of this.#annotationPrefixes) {
        this.#slotOf.set(prefix, -1);
      }
      this.#scratch = {
        layout: this,
        annotations: new Array(this.#slotCount),
        hasWaiverAnnotations: false,
      };
    }
    const scratch = this.#scratch;
    const values = scratch.annotations;
    values.fill(undefined);
    scratch.hasWaiverAnnotations = false;
    const metadata = (entity as { metadata?: any }).metadata;
    if (metadata === null || typeof metadata !== 'object') {
      return scratch;
    }
    const annotations = metadata.annotations;
    if (
      annotations !== null &&
      typeof annotations === 'object' &&
      !Array.isArray(annotations)
    ) {
      const slotOf = this.#slotOf;
      const first = waiverPrefix.charCodeAt(0);
      // Object.keys and a Map measured fastest on parsed JSON, which is what entities are.
      const keys = Object.keys(annotations);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        const slot = slotOf.get(key);
        if (slot !== undefined) {
          if (slot === -1) {
            return undefined;
          }
          values[slot] = annotations[key];
        } else if (
          key.charCodeAt(0) === first &&
          key.startsWith(waiverPrefix)
        ) {
          scratch.hasWaiverAnnotations = true;
        }
      }
    }
    const labels = metadata.labels;
    if (
      this.#labelPrefixes.size > 0 &&
      labels !== null &&
      typeof labels === 'object'
    ) {
      for (const prefix of this.#labelPrefixes) {
        if (hasOwn.call(labels, prefix)) {
          return undefined;
        }
      }
    }
    return scratch;
  }
}

/**
 * Compiles a path on its own, for values that are not entities (elements, facts, other
 * entities): the reader always takes the general route.
 */
export function compilePath(path: string): PathReader {
  return new PathLayout().compile(path);
}
