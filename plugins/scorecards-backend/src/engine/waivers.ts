import { Waiver, WaiverOutcome } from '@guardrails/plugin-scorecards-common';
import {
  CompiledDuration,
  DAY_MS,
  isDateOnly,
  parseIsoInstant,
  startOfUtcDay,
} from './dates';
import { withArticle } from './phrases';

/**
 * Prefix of the annotations that waive a check for the entity that declares them:
 * `guardrails.dev/waive.<check-id>: "<expiry ISO date>: <reason>"`.
 */
export const WAIVER_ANNOTATION_PREFIX = 'guardrails.dev/waive.';

/**
 * A waiver as declared, parsed or not.
 */
export interface DeclaredWaiver {
  checkId: string;
  /** The annotation that declared it, for waivers declared in the entity. */
  annotation?: string;
  /** The waiver, when it could be read. */
  waiver?: Waiver;
  /** Epoch milliseconds after which it stops counting; NaN when it could not be read. */
  expiresAtMs: number;
  /** Why it could not be read. */
  problem?: string;
}

// The date is everything up to the first colon that is followed by a space (date-times contain
// colons too), or a bare date directly followed by a colon.
const DATE_THEN_REASON = /^\s*(\S+?)\s*:(?:\s+|$)([\s\S]*)$/;
const BARE_DATE_THEN_REASON = /^\s*(\d{4}-\d{2}-\d{2}):([\s\S]*)$/;
const EXAMPLE = '"2027-03-31: Batch job without user traffic"';

/**
 * The longest reason a waiver may give, declared in an annotation or through the API.
 */
export const MAX_WAIVER_REASON_LENGTH = 2000;

/**
 * Reads a waiver annotation value, `"<expiry ISO date>: <reason>"`. A date without a time
 * waives through the end of that day (UTC).
 */
export function parseWaiverAnnotation(
  checkId: string,
  value: unknown,
  context: { entityRef: string; grantedBy: string },
): DeclaredWaiver {
  const annotation = `${WAIVER_ANNOTATION_PREFIX}${checkId}`;
  const malformed = (problem: string): DeclaredWaiver => ({
    checkId,
    annotation,
    expiresAtMs: NaN,
    problem: `the waiver is malformed (${problem}); write it as "<expiry date>: <reason>", e.g. ${EXAMPLE}`,
  });
  if (typeof value !== 'string') {
    return malformed('the annotation is not text');
  }
  const match =
    DATE_THEN_REASON.exec(value) ?? BARE_DATE_THEN_REASON.exec(value);
  if (!match) {
    return malformed('no expiry date');
  }
  const [, date, rawReason] = match;
  const parsed = parseIsoInstant(date);
  if (Number.isNaN(parsed)) {
    return malformed(`'${date}' is not an ISO date`);
  }
  const reason = rawReason.trim();
  if (!reason) {
    return malformed('no reason after the date');
  }
  if (reason.length > MAX_WAIVER_REASON_LENGTH) {
    return malformed(
      `the reason is longer than ${MAX_WAIVER_REASON_LENGTH} characters`,
    );
  }
  const expiresAtMs = isDateOnly(date) ? parsed + DAY_MS - 1 : parsed;
  return {
    checkId,
    annotation,
    expiresAtMs,
    waiver: {
      entityRef: context.entityRef,
      checkId,
      reason,
      expiresAt: new Date(expiresAtMs).toISOString(),
      grantedBy: context.grantedBy,
      source: 'annotation',
    },
  };
}

/**
 * Reads every waiver annotation of an entity.
 */
export function readWaiverAnnotations(
  annotations: unknown,
  context: { entityRef: string; grantedBy: string },
): DeclaredWaiver[] {
  const found: DeclaredWaiver[] = [];
  if (
    typeof annotations !== 'object' ||
    annotations === null ||
    Array.isArray(annotations)
  ) {
    return found;
  }
  for (const key in annotations) {
    if (
      key.startsWith(WAIVER_ANNOTATION_PREFIX) &&
      Object.prototype.hasOwnProperty.call(annotations, key)
    ) {
      found.push(
        parseWaiverAnnotation(
          key.slice(WAIVER_ANNOTATION_PREFIX.length),
          (annotations as Record<string, unknown>)[key],
          context,
        ),
      );
    }
  }
  return found;
}

/**
 * Wraps a waiver created through the API.
 */
export function declaredApiWaiver(waiver: Waiver): DeclaredWaiver {
  const expiresAtMs =
    typeof waiver.expiresAt === 'string'
      ? parseIsoInstant(waiver.expiresAt)
      : NaN;
  if (Number.isNaN(expiresAtMs)) {
    return {
      checkId: waiver.checkId,
      waiver,
      expiresAtMs,
      problem: `the waiver has an invalid expiry date '${waiver.expiresAt}'`,
    };
  }
  return { checkId: waiver.checkId, waiver, expiresAtMs };
}

/**
 * A waiver that lasts longer than the longest allowed, counted from `nowMs` to the end of that
 * day (UTC), does not count and says why; any other waiver is returned as it is.
 */
export function limitWaiver(
  declared: DeclaredWaiver,
  maxDuration: CompiledDuration,
  nowMs: number,
): DeclaredWaiver {
  const latestMs = startOfUtcDay(maxDuration.after(nowMs)) + DAY_MS - 1;
  if (declared.problem || !(declared.expiresAtMs > latestMs)) {
    return declared;
  }
  const words = /^\d/.test(maxDuration.words)
    ? maxDuration.words
    : withArticle(maxDuration.words);
  return {
    ...declared,
    problem: `the waiver lasts until ${expiryText(
      declared,
    )}, longer than a waiver may (${words}, so until ${new Date(latestMs)
      .toISOString()
      .slice(0, 10)} at the latest)`,
  };
}

/** The day (or instant) a waiver expires, as shown to people. */
function expiryText(declared: DeclaredWaiver): string {
  const iso = new Date(declared.expiresAtMs).toISOString();
  return iso.endsWith('T23:59:59.999Z') ? iso.slice(0, 10) : iso;
}

/**
 * What the declared waivers of one check mean at `nowMs`: the current waiver with the latest
 * expiry if there is one, otherwise why none counts.
 */
export function selectWaiver(
  declared: readonly DeclaredWaiver[],
  nowMs: number,
): {
  current?: DeclaredWaiver;
  outcome: WaiverOutcome;
  /** The expiry as shown to people, for the current or expired waiver. */
  until?: string;
} {
  let current: DeclaredWaiver | undefined;
  let expired: DeclaredWaiver | undefined;
  let malformed: DeclaredWaiver | undefined;
  for (const candidate of declared) {
    if (candidate.problem || !candidate.waiver) {
      malformed ??= candidate;
    } else if (nowMs <= candidate.expiresAtMs) {
      if (!current || candidate.expiresAtMs > current.expiresAtMs) {
        current = candidate;
      }
    } else if (!expired || candidate.expiresAtMs > expired.expiresAtMs) {
      expired = candidate;
    }
  }
  if (current) {
    return {
      current,
      outcome: { applied: true, waiver: current.waiver },
      until: expiryText(current),
    };
  }
  if (expired) {
    const until = expiryText(expired);
    return {
      outcome: {
        applied: false,
        waiver: expired.waiver,
        problem: `the waiver expired on ${until}`,
      },
      until,
    };
  }
  return {
    outcome: {
      applied: false,
      ...(malformed?.waiver ? { waiver: malformed.waiver } : {}),
      problem: malformed?.problem ?? 'no waiver',
    },
  };
}
