import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { DateTime, Duration } from 'luxon';
import { z } from 'zod';
import type { Scope } from './RollupService';

/** A full entity ref, `kind:namespace/name` or `kind:name`, normalised to lower case. */
export const entityRefSchema = z.string().transform((value, ctx) => {
  try {
    return stringifyEntityRef(parseEntityRef(value));
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: `'${value}' is not an entity ref; expected kind:namespace/name, e.g. component:default/checkout-api`,
    });
    return z.NEVER;
  }
});

/** An entity ref of one kind, e.g. a Group. */
export function entityRefOfKind(kind: string) {
  return z.string().transform((value, ctx) => {
    try {
      const ref = parseEntityRef(value, { defaultKind: kind });
      if (ref.kind.toLocaleLowerCase('en-US') !== kind) {
        throw new Error();
      }
      return stringifyEntityRef(ref);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `'${value}' is not a ${kind} ref; expected ${kind}:namespace/name`,
      });
      return z.NEVER;
    }
  });
}

/** An ISO-8601 duration such as `P1W`. */
export const durationSchema = z.string().transform((value, ctx) => {
  const duration = Duration.fromISO(value);
  if (!duration.isValid || duration.toMillis() <= 0) {
    ctx.addIssue({
      code: 'custom',
      message: `'${value}' is not a positive ISO-8601 duration such as P1D or PT12H`,
    });
    return z.NEVER;
  }
  return duration;
});

/** An ISO-8601 date or date-time. */
export const timestampSchema = z
  .string()
  // Date.parse alone also takes locale formats such as 01/12/2027, which read as 12 January.
  .refine(
    value =>
      DateTime.fromISO(value).isValid && !Number.isNaN(Date.parse(value)),
    {
      message: 'expected an ISO-8601 date or date-time, e.g. 2027-03-31',
    },
  )
  .transform(value => new Date(value));

/** A scope: `all`, or a group, system or domain ref. */
export const scopeSchema = z
  .string()
  .default('all')
  .transform((value, ctx): Scope => {
    if (value === 'all') {
      return { type: 'all' };
    }
    try {
      const ref = parseEntityRef(value);
      const kind = ref.kind.toLocaleLowerCase('en-US');
      if (kind === 'group' || kind === 'system' || kind === 'domain') {
        return { type: kind, ref: stringifyEntityRef(ref) };
      }
    } catch {
      // reported below
    }
    ctx.addIssue({
      code: 'custom',
      message: `'${value}' is not a scope; expected all, group:…, system:… or domain:…`,
    });
    return z.NEVER;
  });

/**
 * Parses request input with a schema, or throws an InputError (400) that says which field was
 * wrong and how.
 */
export function parse<T extends z.ZodType>(
  schema: T,
  input: unknown,
  what: string,
): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map(issue => {
      const path = issue.path.join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    });
    throw new InputError(`Invalid ${what}: ${problems.join('; ')}`);
  }
  return result.data;
}
