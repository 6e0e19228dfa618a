import {
  CHECK_SEVERITY_WEIGHTS,
  CheckDefinition,
  CheckStatus,
  HistoryEvent,
  MoverCause,
  TeamMover,
} from '@guardrails/plugin-scorecards-common';

/** A check's status at a window's start and end; null where it did not apply. */
export interface CheckChange {
  from: CheckStatus | null;
  to: CheckStatus | null;
}

type CheckEvent = Extract<HistoryEvent, { type: 'check' | 'removed' }>;

/** Each entity's check statuses at a time, replaying check history (oldest first) up to it. */
function statusesAt(
  events: CheckEvent[],
  at: number,
): Map<string, Map<string, CheckStatus>> {
  const statuses = new Map<string, Map<string, CheckStatus>>();
  for (const event of events) {
    if (Date.parse(event.at) > at) break;
    if (event.type === 'removed') {
      statuses.delete(event.entityRef);
      continue;
    }
    let checks = statuses.get(event.entityRef);
    if (!checks) {
      checks = new Map();
      statuses.set(event.entityRef, checks);
    }
    checks.set(event.checkId, event.status);
  }
  return statuses;
}

/**
 * The checks whose status differs between a window's start and end, by entity and check, from
 * check history as the store reads it for the window (each check's standing at its start, then
 * its changes, oldest first).
 */
export function checkChanges(
  events: CheckEvent[],
  from: Date,
  to: Date,
): Map<string, Map<string, CheckChange>> {
  const start = statusesAt(events, from.getTime());
  const end = statusesAt(events, to.getTime());
  const changes = new Map<string, Map<string, CheckChange>>();
  for (const ref of new Set([...start.keys(), ...end.keys()])) {
    const before = start.get(ref);
    const after = end.get(ref);
    const checkIds = new Set([
      ...(before?.keys() ?? []),
      ...(after?.keys() ?? []),
    ]);
    for (const checkId of checkIds) {
      const change = {
        from: before?.get(checkId) ?? null,
        to: after?.get(checkId) ?? null,
      };
      if (change.from === change.to) continue;
      let entity = changes.get(ref);
      if (!entity) {
        entity = new Map();
        changes.set(ref, entity);
      }
      entity.set(checkId, change);
    }
  }
  return changes;
}

function passing(status: CheckStatus | null): boolean {
  return status === 'pass' || status === 'waived';
}

function failing(status: CheckStatus | null): boolean {
  return status === 'fail' || status === 'error';
}

/** What a status counts for in a score: passing +1, failing -1, anything else 0. */
function worth(status: CheckStatus | null): number {
  if (passing(status)) return 1;
  if (failing(status)) return -1;
  return 0;
}

/** How much a change moves an entity in a direction (+1 up, -1 down): up to 2. */
function effect(change: CheckChange, direction: 1 | -1): number {
  return direction * (worth(change.to) - worth(change.from));
}

/** A scorecard's checks by id, as the causes name and weigh them. */
export type CheckIndex = ReadonlyMap<string, CheckDefinition>;

function weight(checks: CheckIndex, checkId: string): number {
  const check = checks.get(checkId);
  return check ? CHECK_SEVERITY_WEIGHTS[check.severity] : 0;
}

/**
 * The causes of one entity's move in a direction (+1 an improvement, -1 a regression): the
 * scorecard's checks whose status changed, those that moved it furthest that way first (for a
 * regression, from passing to failing), then by severity weight.
 */
export function entityCauses(
  changes: ReadonlyMap<string, CheckChange> | undefined,
  checks: CheckIndex,
  direction: 1 | -1,
): MoverCause[] {
  if (!changes) return [];
  return [...changes.entries()]
    .filter(([checkId]) => checks.has(checkId))
    .sort(
      ([a, x], [b, y]) =>
        effect(y, direction) - effect(x, direction) ||
        weight(checks, b) - weight(checks, a) ||
        a.localeCompare(b),
    )
    .map(([checkId, change]) => ({
      checkId,
      title: checks.get(checkId)!.title,
      from: change.from,
      to: change.to,
    }));
}

/**
 * The causes of a team's move in a direction: per check of the scorecard, how many of its
 * entities started and stopped passing it, the checks with the most net effect that way first.
 */
export function teamCauses(
  entityRefs: string[],
  changes: ReadonlyMap<string, ReadonlyMap<string, CheckChange>>,
  checks: CheckIndex,
  direction: 1 | -1,
): TeamMover['causes'] {
  const counts = new Map<string, { improved: number; regressed: number }>();
  for (const ref of entityRefs) {
    for (const [checkId, change] of changes.get(ref) ?? []) {
      if (!checks.has(checkId)) continue;
      const started = !passing(change.from) && passing(change.to);
      const stopped = passing(change.from) && !passing(change.to);
      if (!started && !stopped) continue;
      const count = counts.get(checkId) ?? { improved: 0, regressed: 0 };
      if (started) count.improved += 1;
      if (stopped) count.regressed += 1;
      counts.set(checkId, count);
    }
  }
  const net = (c: { improved: number; regressed: number }) =>
    direction * (c.improved - c.regressed);
  return [...counts.entries()]
    .sort(
      ([a, x], [b, y]) =>
        net(y) - net(x) ||
        weight(checks, b) - weight(checks, a) ||
        a.localeCompare(b),
    )
    .map(([checkId, count]) => ({
      checkId,
      title: checks.get(checkId)!.title,
      ...count,
    }));
}

/** One decimal. */
export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
