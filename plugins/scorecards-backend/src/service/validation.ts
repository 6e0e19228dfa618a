import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { JsonValue } from '@guardrails/plugin-scorecards-common';
import { DateTime, Duration } from 'luxon';
import { z } from 'zod';
import type { Scope } from './RollupService';

/** The longest entity ref the store keeps; the catalog's own limits give far shorter ones. */
const MAX_REF_LENGTH = 512;

/** The last page that may be asked for, so that offsets stay exact numbers. */
export const MAX_PAGE = 1_000_000;

/** A full entity ref, `kind:namespace/name` or `kind:name`, normalised to lower case. */
export const entityRefSchema = z
  .string()
  .transform((value, ctx) => {
    if (value.length > MAX_REF_LENGTH) {
      ctx.addIssue({
        code: 'custom',
        message: `an entity ref has at most ${MAX_REF_LENGTH} characters`,
      });
      return z.NEVER;
    }
    try {
      return stringifyEntityRef(parseEntityRef(value));
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `'${value}' is not an entity ref; expected kind:namespace/name, e.g. component:default/checkout-api`,
      });
      return z.NEVER;
    }
  })
  .meta({
    description: `A full entity ref, e.g. \`component:default/checkout-api\`; at most ${MAX_REF_LENGTH} characters.`,
  });

/** The scorecard a route reads; the route takes the first scorecard when it is absent. */
export const scorecardSchema = z.string().optional().meta({
  description: 'Scorecard id; defaults to the first scorecard.',
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

/**
 * An ISO-8601 date or date-time. In a query string a `+` reads as a space, so a space before a
 * trailing offset (`…T00:00:00 01:00`) is the `+` it was.
 */
export const timestampSchema = z
  .string()
  .transform(value => value.replace(/ (\d\d(?::?\d\d)?)$/, '+$1'))
  // Date.parse alone also takes locale formats such as 01/12/2027, which read as 12 January.
  .refine(
    value =>
      DateTime.fromISO(value).isValid && !Number.isNaN(Date.parse(value)),
    {
      message: 'expected an ISO-8601 date or date-time, e.g. 2027-03-31',
    },
  )
  .transform(value => new Date(value));

const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)$/;

/**
 * A number in a query string, as decimal text: unlike `z.coerce.number()`, an empty value or
 * `0x10` is an error rather than 0 or 16.
 */
export function queryNumber<T extends z.ZodType<number, number>>(number: T) {
  const { $schema, ...asNumber } = z.toJSONSchema(number);
  return z
    .string()
    .trim()
    .regex(DECIMAL, 'expected a number')
    .transform(Number)
    .pipe(number)
    .meta({
      // The document says what the number must be, not that it arrives as text.
      override: ({ jsonSchema }) => {
        delete jsonSchema.pattern;
        Object.assign(jsonSchema, asNumber);
      },
    });
}

/** The deepest a fact value may nest lists and objects. */
export const MAX_FACT_DEPTH = 32;
/** The most bytes a fact value may take as JSON. */
export const MAX_FACT_BYTES = 32 * 1024;

/** What is wrong with a fact value, if anything. */
function factValueProblem(value: unknown): string | undefined {
  if (value === undefined) {
    return 'a fact needs a value';
  }
  // Without recursion: a value nested thousands of levels deep must be refused, not overflow
  // the stack.
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [next, depth] = stack.pop()!;
    if (typeof next === 'object' && next !== null) {
      if (depth >= MAX_FACT_DEPTH) {
        return `a fact value may be nested at most ${MAX_FACT_DEPTH} levels deep`;
      }
      for (const child of Object.values(next)) {
        stack.push([child, depth + 1]);
      }
    }
  }
  if (Buffer.byteLength(JSON.stringify(value)) > MAX_FACT_BYTES) {
    return `a fact value may take at most ${MAX_FACT_BYTES} bytes as JSON`;
  }
  return undefined;
}

/** A fact value: any JSON (request bodies hold nothing else), within the limits above. */
export const factValueSchema = z.unknown().transform((value, ctx) => {
  const problem = factValueProblem(value);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  return value as JsonValue;
});

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
  })
  .meta({
    description:
      '`all` (default), or a `group:…` (with every group below it), `system:…` or `domain:…` ref.',
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
  if (
    schema instanceof z.ZodObject &&
    (typeof input !== 'object' || input === null || Array.isArray(input))
  ) {
    let got = input === null ? 'null' : `a ${typeof input}`;
    if (Array.isArray(input)) got = 'an array';
    if (input === undefined) got = 'nothing';
    throw new InputError(`Invalid ${what}: expected an object, got ${got}`);
  }
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
