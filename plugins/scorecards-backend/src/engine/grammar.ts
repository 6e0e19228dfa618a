import { InputError } from '@backstage/errors';

/**
 * The shapes of the rule grammar and its syntax errors: what a predicate, a constant and a place
 * in a rule are, and the messages that say what is wrong where.
 */

/** A value a predicate can compare with. */
export type Primitive = string | number | boolean;

/** Whether a value is a string, a number or a boolean. */
export function isPrimitive(value: unknown): value is Primitive {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean';
}

/** Whether a value is a JSON object (not null, not an array). */
export function isPlainObject(
  value: unknown,
): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws an InputError for an invalid predicate; callers add which check and field. */
export function syntaxError(message: string): never {
  throw new InputError(message);
}

/** Where in a predicate something is, for error messages. */
export function located(where: string): string {
  return where ? `at ${where}` : 'at the top level';
}

/** The place of `key` inside `where`, e.g. `$all[0].spec.type`. */
export function joinPath(where: string, key: string): string {
  if (!where) {
    return key;
  }
  return key.startsWith('[') ? `${where}${key}` : `${where}.${key}`;
}

/** The JSON type of a value in words, for error messages. */
export function describeJsonType(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  switch (typeof value) {
    case 'undefined':
      return 'nothing';
    case 'object':
      return 'an object';
    case 'string':
      return `the string '${value}'`;
    default:
      return `the ${typeof value} ${String(value)}`;
  }
}

/** Validates a constant to compare with. */
export function checkPrimitive(value: unknown, where: string): Primitive {
  if (!isPrimitive(value)) {
    syntaxError(
      `${located(
        where,
      )}: expected a string, number or boolean to compare with, or an operator object such as { $exists: true }, got ${describeJsonType(
        value,
      )}`,
    );
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    syntaxError(`${located(where)}: expected a finite number`);
  }
  return value as Primitive;
}
