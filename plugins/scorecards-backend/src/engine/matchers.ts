import type { Primitive } from './grammar';

/**
 * The value matchers of `@backstage/filter-predicates` (equality, `$in`, `$exists`,
 * `$hasPrefix`), compiled once with the library's exact semantics: string equality ignores case,
 * and a number equals anything whose string form is the same.
 */

/** Tests one value. */
export type Matcher = (value: unknown) => boolean;


function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 127) {
      return false;
    }
  }
  return true;
}

/**
 * `text.toUpperCase() === upper` for an ASCII `upper`, without allocating an upper-cased copy
 * (the comparison runs for every value of every entity).
 */
function equalsIgnoringAsciiCase(text: string, upper: string): boolean {
  const length = upper.length;
  if (text.length !== length) {
    // Upper-casing changes length only outside ASCII (e.g. "ß" becomes "SS").
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) > 127) {
        return text.toUpperCase() === upper;
      }
    }
    return false;
  }
  for (let i = 0; i < length; i++) {
    let c = text.charCodeAt(i);
    if (c > 127) {
      return text.toUpperCase() === upper;
    }
    if (c >= 97 && c <= 122) {
      c -= 32;
    }
    if (c !== upper.charCodeAt(i)) {
      return false;
    }
  }
  return true;
}

/** Matches values equal to `constant` the way the library's `valuesAreEqual` does. */
export function equalsMatcher(constant: Primitive): Matcher {
  if (typeof constant === 'string') {
    const upper = constant.toUpperCase();
    const sameIgnoringCase = isAscii(upper)
      ? (text: string) => equalsIgnoringAsciiCase(text, upper)
      : (text: string) => text.toUpperCase() === upper;
    return value =>
      value === constant ||
      (typeof value === 'string'
        ? sameIgnoringCase(value)
        : typeof value === 'number' && String(value) === constant);
  }
  if (typeof constant === 'number') {
    const text = String(constant);
    return value =>
      value === constant ||
      (value !== null &&
        value !== undefined &&
        (typeof value === 'object'
          ? textOf(value) === text
          : String(value) === text));
  }
  return value => value === constant;
}

/**
 * `String(value)` for an object, as the library compares it (`[5]` equals `5`), but never
 * throwing: an object without a prototype cannot be converted.
 */
function textOf(value: object): string | undefined {
  try {
    return String(value);
  } catch {
    return undefined;
  }
}

/** Matches values equal to any of `constants`. */
export function inMatcher(constants: readonly Primitive[]): Matcher {
  const matchers = constants.map(equalsMatcher);
  return value => {
    for (let i = 0; i < matchers.length; i++) {
      if (matchers[i](value)) {
        return true;
      }
    }
    return false;
  };
}

/** Matches present (`true`) or absent (`false`) values. */
export function existsMatcher(exists: boolean): Matcher {
  return exists ? value => value !== undefined : value => value === undefined;
}

/** Matches strings that start with `prefix`, ignoring case. */
export function hasPrefixMatcher(prefix: string): Matcher {
  const upper = prefix.toUpperCase();
  return value =>
    typeof value === 'string' && value.toUpperCase().startsWith(upper);
}
