/**
 * The words of explanations and descriptions: how paths, values and lists read in English.
 * Phrases are built when rules compile; sentences only for the one verdict that decides a result.
 */

export const MAX_VALUE_LENGTH = 80;

/** A path in words: `annotation X`, `label X`, `fact X`, `field spec.type`; `its X` in elements. */
export function subjectOf(path: string, inElement: boolean): string {
  if (inElement) {
    return path ? `its ${path}` : 'it';
  }
  if (path.startsWith('metadata.annotations.')) {
    return `annotation ${path.slice('metadata.annotations.'.length)}`;
  }
  if (path.startsWith('metadata.labels.')) {
    return `label ${path.slice('metadata.labels.'.length)}`;
  }
  if (path.startsWith('facts.')) {
    return `fact ${path.slice('facts.'.length)}`;
  }
  return `field ${path}`;
}

/** A constant as written in an expectation: strings quoted, numbers and booleans bare. */
export function formatPrimitive(value: string | number | boolean): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/** `a`, `a and b`, `a, b and c`. */
export function joinAnd(parts: readonly string[]): string {
  if (parts.length <= 1) {
    return parts.join('');
  }
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** `a`, `either a or b`, `one of: a; b; c`. */
export function anyOf(parts: readonly string[]): string {
  if (parts.length <= 1) {
    return parts.join('');
  }
  if (parts.length === 2) {
    return `either ${parts[0]} or ${parts[1]}`;
  }
  return `one of: ${parts.join('; ')}`;
}

/** Prefixes `a` or `an`. */
export function withArticle(phrase: string): string {
  return /^[aeiou]/i.test(phrase) ? `an ${phrase}` : `a ${phrase}`;
}

/** Upper-cases the first letter. */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A value found in the data, in words: `"high"`, `42`, `a list of 3 items`. */
export function renderValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value.length > MAX_VALUE_LENGTH
        ? `"${value.slice(0, MAX_VALUE_LENGTH - 3)}..."`
        : `"${value}"`;
    case 'number':
    case 'boolean':
      return String(value);
    case 'undefined':
      return 'not set';
    default:
      if (value === null) {
        return 'empty (null)';
      }
      if (Array.isArray(value)) {
        if (value.length === 0) {
          return 'an empty list';
        }
        return value.length === 1
          ? 'a list of 1 item'
          : `a list of ${value.length} items`;
      }
      return 'an object';
  }
}

const RELATION_VERBS: Record<string, string> = {
  ownedby: 'owned by',
  ownerof: 'owner of',
  partof: 'part of',
  haspart: 'has part',
  dependson: 'depends on',
  dependencyof: 'dependency of',
  providesapi: 'provides',
  apiprovidedby: 'API provided by',
  consumesapi: 'consumes',
  apiconsumedby: 'API consumed by',
  memberof: 'member of',
  hasmember: 'has member',
  childof: 'child of',
  parentof: 'parent of',
};

/** A relation type in words, e.g. `owned by` for `ownedBy`. */
export function relationVerb(type: string): string {
  return RELATION_VERBS[type.toLowerCase()] ?? `has a ${type} relation to`;
}
