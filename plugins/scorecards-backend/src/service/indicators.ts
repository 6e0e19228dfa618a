import type {
  CheckStatus,
  EntityInfo,
  EntityScoreRow,
  IndicatorMeasure,
  IndicatorResult,
  IndicatorsResponse,
  IndicatorValue,
  ScorecardDefinitions,
} from '@guardrails/plugin-scorecards-common';
import { DateTime } from 'luxon';
import type { ScorecardsStore } from '../database';
import {
  indicatorEntityShape,
  type IndicatorDefinition,
} from '../definitions/readIndicators';
import { isFactFresh, observedAtOf } from '../engine';
import type { Visible } from './CatalogVisibility';
import type { RollupService, Scope } from './RollupService';

/** How far back an indicator's earlier value is. */
const BEFORE_DAYS = 30;

/** How long an answer is kept while the store's version stands. */
const ANSWER_TTL_MS = 60_000;
/** The most answers kept per caller's view. */
const MAX_CACHED_ANSWERS = 200;

/** Answers by scope, with the version and time they were computed for. */
type Answers = Map<
  string,
  { version: number; at: number; answer: Promise<IndicatorsResponse> }
>;

type LevelMeasure = Extract<IndicatorMeasure, { type: 'level' }>;
type CheckMeasure = Extract<IndicatorMeasure, { type: 'check' }>;
type FactMeasure = Extract<IndicatorMeasure, { type: 'fact' }>;

/** A measure's value at both ends, without the times. */
interface Measured {
  now: Omit<IndicatorValue, 'at'>;
  before: Omit<IndicatorValue, 'at'>;
  freshness?: IndicatorResult['freshness'];
}

/** Each entity's level in a scorecard 30 days ago, of those with a standing then. */
type StandingsThen = (
  scorecardId: string,
) => Promise<Map<string, string | null>>;

type StandingsAt = (
  predicate: string,
  scorecardId: string,
  counted: string[],
) => Promise<Map<string, string | null>>;

/** Results of a check that count toward its share, as the heatmap counts them. */
const MEETING: ReadonlySet<CheckStatus> = new Set(['pass', 'waived']);
const NOT_MEETING: ReadonlySet<CheckStatus> = new Set(['fail', 'error']);

/**
 * The headline indicators of a scope: each counts the scope's entities that match its
 * `entities` predicate and the caller may read, now from the latest results and 30 days ago
 * from the history.
 */
export class IndicatorService {
  readonly #store: ScorecardsStore;
  readonly #rollups: RollupService;
  readonly #definitions: ScorecardDefinitions;
  readonly #indicators: IndicatorDefinition[];
  readonly #matched = new WeakMap<EntityInfo, boolean[]>();
  readonly #answers: Answers = new Map();
  readonly #visibleAnswers = new WeakMap<ReadonlySet<string>, Answers>();

  constructor(options: {
    store: ScorecardsStore;
    rollups: RollupService;
    definitions: ScorecardDefinitions;
    indicators: IndicatorDefinition[];
  }) {
    this.#store = options.store;
    this.#rollups = options.rollups;
    this.#definitions = options.definitions;
    this.#indicators = options.indicators;
  }

  /**
   * The indicators of a scope for a caller. An answer is kept for a minute while the store's
   * version stands, per scope and caller's view (the set of entities they may read, which the
   * visibility cache keeps as long): a fact pushed meanwhile, which does not move the version,
   * shows within a minute.
   */
  async indicators(options: {
    scope: Scope;
    visible?: Visible;
    now: Date;
  }): Promise<IndicatorsResponse> {
    const visible = options.visible ?? 'all';
    const version = await this.#store.getVersion();
    let answers =
      visible === 'all' ? this.#answers : this.#visibleAnswers.get(visible);
    if (!answers) {
      answers = new Map();
      this.#visibleAnswers.set(visible as ReadonlySet<string>, answers);
    }
    const key = options.scope.type === 'all' ? 'all' : options.scope.ref;
    const nowMs = options.now.getTime();
    const cached = answers.get(key);
    if (
      cached &&
      cached.version === version &&
      nowMs >= cached.at &&
      nowMs - cached.at < ANSWER_TTL_MS
    ) {
      return cached.answer;
    }
    const answer = this.#compute(options);
    answers.delete(key);
    if (answers.size >= MAX_CACHED_ANSWERS) {
      answers.delete(answers.keys().next().value!);
    }
    answers.set(key, { version, at: nowMs, answer });
    answer.catch(() => {
      if (answers!.get(key)?.answer === answer) answers!.delete(key);
    });
    return answer;
  }

  async #compute(options: {
    scope: Scope;
    visible?: Visible;
    now: Date;
  }): Promise<IndicatorsResponse> {
    const rows = await this.#rollups.scopeRows(
      options.scope,
      options.visible ?? 'all',
    );
    const entities = new Map<string, EntityInfo>();
    for (const row of rows) {
      if (!entities.has(row.entityRef)) entities.set(row.entityRef, row);
    }
    const now = DateTime.fromJSDate(options.now).toUTC();
    const before = now.minus({ days: BEFORE_DAYS });
    // Indicators with the same predicate count the same entities, and share what was read of
    // their standings then.
    const countedBy = new Map<string, string[]>();
    const standings = new Map<string, Promise<Map<string, string | null>>>();
    const standingsAt: StandingsAt = (predicate, scorecardId, counted) => {
      const key = `${predicate}|${scorecardId}`;
      let standing = standings.get(key);
      if (!standing) {
        standing = this.#standingsAt(scorecardId, counted, before.toJSDate());
        standings.set(key, standing);
      }
      return standing;
    };

    const indicators = await Promise.all(
      this.#indicators.map(async (indicator, index) => {
        const predicate = JSON.stringify(indicator.entities);
        let counted = countedBy.get(predicate);
        if (!counted) {
          counted = [...entities.values()]
            .filter(info => this.#matches(info, index))
            .map(info => info.entityRef);
          countedBy.set(predicate, counted);
        }
        const measured = await this.#measure(
          indicator.measure,
          counted,
          rows,
          now.toJSDate(),
          (scorecardId: string) =>
            standingsAt(predicate, scorecardId, counted!),
          before.toJSDate(),
        );
        const change =
          measured.now.value === null || measured.before.value === null
            ? null
            : round(measured.now.value - measured.before.value, 1);
        const result: IndicatorResult = {
          id: indicator.id,
          title: indicator.title,
          description: indicator.description,
          measure: indicator.measure,
          now: { at: now.toISO()!, ...measured.now },
          before: { at: before.toISO()!, ...measured.before },
          change,
          higherIsBetter: indicator.higherIsBetter,
          ...(measured.freshness && { freshness: measured.freshness }),
        };
        return result;
      }),
    );
    return {
      scope: options.scope.type === 'all' ? 'all' : options.scope.ref,
      indicators,
    };
  }

  /**
   * Whether an entity matches the predicate of the indicator at this index; kept with the
   * stored row, which the cached read model keeps until the store's version moves.
   */
  #matches(info: EntityInfo, index: number): boolean {
    let matches = this.#matched.get(info);
    if (!matches) {
      const shape = indicatorEntityShape(info);
      matches = this.#indicators.map(i => i.filter.test(shape));
      this.#matched.set(info, matches);
    }
    return matches[index];
  }

  #measure(
    measure: IndicatorMeasure,
    counted: string[],
    rows: EntityScoreRow[],
    now: Date,
    standingsThen: StandingsThen,
    before: Date,
  ): Promise<Measured> {
    switch (measure.type) {
      case 'level':
        return this.#level(measure, counted, rows, standingsThen);
      case 'check':
        return this.#check(measure, counted, rows, standingsThen, before);
      default:
        return this.#fact(measure, counted, now, before);
    }
  }

  async #level(
    measure: LevelMeasure,
    counted: string[],
    rows: EntityScoreRow[],
    standingsThen: StandingsThen,
  ): Promise<Measured> {
    const scorecard = this.#definitions.scorecards.find(
      s => s.id === measure.scorecardId,
    )!;
    const levels = scorecard.levels.map(l => l.name);
    const minimum = levels.indexOf(measure.level);
    const reaches = (level: string | null) =>
      level !== null && levels.indexOf(level) >= minimum;
    const countedSet = new Set(counted);

    const current = rows.filter(
      r => r.scorecardId === scorecard.id && countedSet.has(r.entityRef),
    );
    const nowValue = share(
      current.length,
      current.filter(r => reaches(r.level)).length,
    );

    const then = [...(await standingsThen(scorecard.id)).values()];
    return {
      now: nowValue,
      before: share(then.length, then.filter(reaches).length),
    };
  }

  async #check(
    measure: CheckMeasure,
    counted: string[],
    rows: EntityScoreRow[],
    standingsThen: StandingsThen,
    before: Date,
  ): Promise<Measured> {
    // A check's result counts where a scorecard containing it applies to the entity; each
    // entity is counted once, under the first such scorecard it has.
    const countedSet = new Set(counted);
    const byScorecard = new Map<string, string[]>();
    const assigned = new Set<string>();
    const containing = new Set(
      this.#definitions.scorecards
        .filter(s => s.checks.includes(measure.checkId))
        .map(s => s.id),
    );
    for (const scorecard of this.#definitions.scorecards) {
      if (!containing.has(scorecard.id)) continue;
      const refs: string[] = [];
      for (const row of rows) {
        if (
          row.scorecardId === scorecard.id &&
          countedSet.has(row.entityRef) &&
          !assigned.has(row.entityRef)
        ) {
          assigned.add(row.entityRef);
          refs.push(row.entityRef);
        }
      }
      if (refs.length > 0) byScorecard.set(scorecard.id, refs);
    }

    let entities = 0;
    let meeting = 0;
    const counts = await Promise.all(
      [...byScorecard].map(([scorecardId, entityRefs]) =>
        this.#store.countCheckStatuses({
          scorecardId,
          checkIds: [measure.checkId],
          entityRefs,
        }),
      ),
    );
    for (const { status, count } of counts.flat()) {
      if (MEETING.has(status)) meeting += count;
      if (MEETING.has(status) || NOT_MEETING.has(status)) entities += count;
    }

    // The check history says nothing of removals before its window: the entities there then
    // are those with a standing in a scorecard containing the check.
    const [events, present] = await Promise.all([
      this.#store.getCheckHistory({
        checkIds: [measure.checkId],
        entityRefs: counted,
        from: before,
        to: before,
      }),
      Promise.all([...containing].map(standingsThen)),
    ]);
    const standing = new Map<string, CheckStatus>();
    for (const event of events) {
      if (event.type === 'removed') {
        standing.delete(event.entityRef);
      } else {
        standing.set(event.entityRef, event.status);
      }
    }
    const then = [...standing]
      .filter(([entityRef]) =>
        present.some(standings => standings.has(entityRef)),
      )
      .map(([, status]) => status);
    return {
      now: share(entities, meeting),
      before: share(
        then.filter(s => MEETING.has(s) || NOT_MEETING.has(s)).length,
        then.filter(s => MEETING.has(s)).length,
      ),
    };
  }

  /** The entities with a standing in a scorecard at a time, with their levels. */
  async #standingsAt(
    scorecardId: string,
    entityRefs: string[],
    at: Date,
  ): Promise<Map<string, string | null>> {
    const standing = new Map<string, string | null>();
    const events = await this.#store.getScoreHistory({
      scorecardId,
      entityRefs,
      from: at,
      to: at,
    });
    for (const event of events) {
      if (event.type === 'removed') {
        standing.delete(event.entityRef);
      } else {
        standing.set(event.entityRef, event.level);
      }
    }
    return standing;
  }

  async #fact(
    measure: FactMeasure,
    counted: string[],
    now: Date,
    before: Date,
  ): Promise<Measured> {
    const [facts, observations] = await Promise.all([
      this.#store.getFacts(counted),
      this.#store.getFactObservationsAt({
        name: measure.fact,
        entityRefs: counted,
        at: before,
      }),
    ]);
    const values: number[] = [];
    let fresh = 0;
    let oldest = Infinity;
    let newest = -Infinity;
    for (const list of facts.values()) {
      const fact = list.find(f => f.name === measure.fact);
      if (!fact || !isNumber(fact.value)) continue;
      values.push(fact.value);
      const observed = observedAtOf(fact);
      if (isFactFresh(fact, now.getTime(), observed)) fresh += 1;
      oldest = Math.min(oldest, observed);
      newest = Math.max(newest, observed);
    }
    const then = observations.flatMap(o =>
      isNumber(o.value) ? [o.value] : [],
    );
    const iso = (ms: number) =>
      Number.isFinite(ms) ? new Date(ms).toISOString() : null;
    return {
      now: {
        value: aggregate(measure.aggregate, values),
        entities: values.length,
      },
      before: {
        value: aggregate(measure.aggregate, then),
        entities: then.length,
      },
      freshness: {
        fresh,
        stale: values.length - fresh,
        oldestObservedAt: iso(oldest),
        newestObservedAt: iso(newest),
      },
    };
  }
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function round(value: number, decimals: number) {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** A share as a percentage with one decimal; null when nothing was counted. */
function share(entities: number, meeting: number): Omit<IndicatorValue, 'at'> {
  return {
    value: entities === 0 ? null : round((meeting / entities) * 100, 1),
    entities,
    meeting,
  };
}

/**
 * The median, mean or 90th percentile (nearest rank: the smallest value at least 90% of the
 * values are at or below) of some values, to two decimals; null for none.
 */
export function aggregate(
  kind: FactMeasure['aggregate'],
  values: number[],
): number | null {
  if (values.length === 0) {
    return null;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  let result: number;
  switch (kind) {
    case 'mean':
      result = sorted.reduce((sum, v) => sum + v, 0) / n;
      break;
    case 'median':
      result =
        n % 2 === 1
          ? sorted[(n - 1) / 2]
          : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
      break;
    default:
      result = sorted[Math.ceil(0.9 * n) - 1];
  }
  return round(result, 2);
}
