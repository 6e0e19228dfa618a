import type {
  CheckResult,
  CheckStatus,
  ScorecardResult,
} from '@guardrails/plugin-scorecards-common';
import {
  planWrite,
  prepareRecord,
  PreparedRecord,
  rowsWritten,
  StoredEntity,
  WritePlan,
} from './changes';
import type { EntityEvaluationRecord } from './ScorecardsStore';

const REF = 'component:default/checkout-api';
const T0 = new Date('2026-03-02T09:00:00.000Z');
const T1 = new Date('2026-03-03T09:00:00.000Z');

function record(
  options: {
    statuses?: Record<string, CheckStatus>;
    explanation?: string;
    score?: number;
    level?: string | null;
    title?: string;
    lifecycle?: string;
    fingerprint?: string;
    scorecards?: ScorecardResult[];
  } = {},
): EntityEvaluationRecord {
  const statuses = {
    'has-owner': 'pass',
    runbook: 'pass',
    ...options.statuses,
  };
  const checks: CheckResult[] = Object.entries(statuses).map(
    ([checkId, status]) => ({
      checkId,
      status: status as CheckStatus,
      observed: { found: status === 'pass', at: ['x', 1] },
      expected: `${checkId} to be set`,
      explanation: options.explanation ?? `${checkId} is ${status}.`,
      enforced: true,
    }),
  );
  return {
    info: {
      entityRef: REF,
      kind: 'Component',
      ownerRef: 'group:default/payments',
      title: options.title,
      lifecycle: options.lifecycle,
    },
    evaluation: {
      entityRef: REF,
      checks,
      scorecards: options.scorecards ?? [
        {
          scorecardId: 'readiness',
          level: options.level === undefined ? 'Bronze' : options.level,
          levelIndex: options.level === null ? -1 : 0,
          score: options.score ?? 100,
          counts: {
            pass: 2,
            fail: 0,
            warn: 0,
            waived: 0,
            'not-applicable': 0,
            error: 0,
          },
        },
      ],
    },
    scorecardChecks: { readiness: ['has-owner', 'runbook'] },
    scorecardFingerprints: { readiness: options.fingerprint ?? 'defs-1' },
  };
}

/** What the store holds after writing these plans, as the store reads it back. */
function storedAfter(plan: WritePlan): Map<string, StoredEntity> {
  return new Map(
    plan.entities.map(entity => [
      entity.entity_ref,
      {
        hash: entity.evaluation_hash,
        updatedAt: new Date(entity.updated_at as Date),
        checks: plan.checkUpserts.filter(
          r => r.entity_ref === entity.entity_ref,
        ),
        scores: plan.scoreUpserts.filter(
          r => r.entity_ref === entity.entity_ref,
        ),
      },
    ]),
  );
}

/** The plan of writing `next` over what writing `first` at T0 stored. */
function planOver(
  first: EntityEvaluationRecord,
  next: EntityEvaluationRecord,
): WritePlan {
  const stored = storedAfter(planWrite([prepareRecord(first)], new Map(), T0));
  return planWrite([prepareRecord(next)], stored, T1);
}

describe('prepareRecord', () => {
  it('hashes equal content equally, whatever the order of checks, scorecards and keys', () => {
    const a = record({
      scorecards: [
        { ...record().evaluation.scorecards[0] },
        { ...record().evaluation.scorecards[0], scorecardId: 'security' },
      ],
    });
    const b = structuredClone(a);
    b.evaluation.checks.reverse();
    b.evaluation.scorecards.reverse();
    b.evaluation.checks[0].observed = { at: ['x', 1], found: true };
    b.info = Object.fromEntries(
      Object.entries(b.info).reverse(),
    ) as typeof b.info;

    expect(prepareRecord(b).hash).toBe(prepareRecord(a).hash);
  });

  it('changes the hash with any stored content: an explanation, the info, waiver problems or definitions', () => {
    const hash = prepareRecord(record()).hash;
    const withProblems = record();
    withProblems.evaluation.waiverProblems = [
      {
        checkId: 'gone',
        annotation: 'guardrails.dev/waive.gone',
        problem: 'x',
      },
    ];

    expect(prepareRecord(record({ explanation: 'Reworded.' })).hash).not.toBe(
      hash,
    );
    expect(prepareRecord(record({ title: 'Checkout' })).hash).not.toBe(hash);
    expect(prepareRecord(withProblems).hash).not.toBe(hash);
    expect(prepareRecord(record({ fingerprint: 'defs-2' })).hash).not.toBe(
      hash,
    );
  });

  it('lists under each scorecard the failing or erroring checks it contains, and only those', () => {
    const prepared: PreparedRecord = prepareRecord({
      ...record({ statuses: { runbook: 'error', 'on-call': 'fail' } }),
      scorecardChecks: { readiness: ['has-owner', 'runbook'] },
    });

    expect(prepared.scores[0]).toMatchObject({
      failing: JSON.stringify(['runbook']),
      failing_count: 1,
    });
  });
});

describe('planWrite', () => {
  it('writes every row of a new entity and records its first appearance', () => {
    const plan = planWrite([prepareRecord(record())], new Map(), T0);

    expect(plan.entities).toEqual([
      expect.objectContaining({ entity_ref: REF, updated_at: T0 }),
    ]);
    expect(plan.checkUpserts.map(r => [r.check_id, r.since])).toEqual([
      ['has-owner', T0],
      ['runbook', T0],
    ]);
    expect(plan.events).toEqual([
      expect.objectContaining({
        type: 'check',
        subject_id: 'has-owner',
        status: 'pass',
        previous_status: null,
      }),
      expect.objectContaining({
        type: 'check',
        subject_id: 'runbook',
        status: 'pass',
        previous_status: null,
      }),
      expect.objectContaining({
        type: 'scorecard',
        subject_id: 'readiness',
        level: 'Bronze',
        score: 100,
        failing: 0,
        previous_level: null,
        previous_score: null,
        definitions_changed: null,
      }),
    ]);
  });

  it('writes nothing for an entity whose content is unchanged', () => {
    const plan = planOver(record(), record());

    expect(plan.entities).toEqual([]);
    expect(rowsWritten(plan)).toBe(0);
  });

  it('moves since and records the change when a status changes, writing only that result', () => {
    const plan = planOver(
      record(),
      record({ statuses: { runbook: 'fail' }, score: 50 }),
    );

    expect(plan.checkUpserts).toEqual([
      expect.objectContaining({
        check_id: 'runbook',
        status: 'fail',
        since: T1,
      }),
    ]);
    expect(plan.events).toEqual([
      expect.objectContaining({
        type: 'check',
        subject_id: 'runbook',
        status: 'fail',
        previous_status: 'pass',
        at: T1,
      }),
      expect.objectContaining({
        type: 'scorecard',
        level: 'Bronze',
        previous_level: 'Bronze',
        score: 50,
        previous_score: 100,
        failing: 1,
        definitions_changed: false,
      }),
    ]);
    // The level did not change, so the standing keeps its since.
    expect(plan.scoreUpserts).toEqual([
      expect.objectContaining({ score: 50, since: T0 }),
    ]);
    expect(plan.entities[0].updated_at).toBe(T1);
  });

  it('rewrites a result whose explanation changed, keeping its since and recording nothing', () => {
    const plan = planOver(record(), record({ explanation: 'Reworded.' }));

    expect(plan.checkUpserts.map(r => [r.check_id, r.since])).toEqual([
      ['has-owner', T0],
      ['runbook', T0],
    ]);
    expect(plan.events).toEqual([]);
    expect(plan.entities[0].updated_at).toBe(T1);
  });

  it('tells a change the definitions made from one the entity made', () => {
    const plan = planOver(
      record(),
      record({ fingerprint: 'defs-2', level: null, score: 0 }),
    );

    expect(plan.events).toEqual([
      expect.objectContaining({
        type: 'scorecard',
        level: null,
        previous_level: 'Bronze',
        definitions_changed: true,
      }),
    ]);
    expect(plan.scoreUpserts[0].since).toBe(T1);
  });

  it('deletes the results of checks and scorecards that disappeared', () => {
    const next = record();
    next.evaluation.checks = next.evaluation.checks.filter(
      c => c.checkId !== 'runbook',
    );
    next.evaluation.scorecards = [];

    const plan = planOver(record(), next);

    expect(plan.checkDeletes).toEqual([[REF, 'runbook']]);
    expect(plan.scoreDeletes).toEqual([[REF, 'readiness']]);
    expect(plan.checkUpserts).toEqual([]);
    expect(plan.events).toEqual([]);
  });

  it('rewrites the entity row alone when only its info changed, keeping updated_at', () => {
    const plan = planOver(record(), record({ lifecycle: 'experimental' }));

    expect(plan.entities).toEqual([
      expect.objectContaining({ lifecycle: 'experimental', updated_at: T0 }),
    ]);
    expect(rowsWritten(plan)).toBe(0);
  });

  it('rewrites the search text of the score rows of a retitled entity, keeping updated_at and recording nothing', () => {
    const plan = planOver(record(), record({ title: 'Checkout API' }));

    expect(plan.entities).toEqual([
      expect.objectContaining({ title: 'Checkout API', updated_at: T0 }),
    ]);
    expect(plan.scoreUpserts).toEqual([
      expect.objectContaining({
        search: 'component:default/checkout-api\ncheckout api',
        since: T0,
      }),
    ]);
    expect(plan.checkUpserts).toEqual([]);
    expect(plan.events).toEqual([]);
  });
});
