import { createHash } from 'node:crypto';
import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  CHECK_SEVERITY_WEIGHTS,
  CheckDefinition,
  CheckResult,
  CheckStatus,
  EntityEvaluation,
  Fact,
  JsonValue,
  ScorecardDefinition,
  ScorecardDefinitions,
  ScorecardResult,
  Waiver,
  WaiverOutcome,
  WaiverProblem,
} from '@guardrails/plugin-scorecards-common';
import { CatalogIndex, entityRefOf, normalizeEntityRef } from './catalogIndex';
import { CompiledDuration, compileDuration, parseIsoInstant } from './dates';
import { isFactFresh, observedAtOf } from './facts';
import { explainVerdict, expectedOf, observedOf } from './explain';
import { CompiledFilter, compileFilter } from './filters';
import type { RuleOperator } from '@guardrails/plugin-scorecards-node';
import { OperatorRegistry } from './operators';
import { capitalize } from './phrases';
import { CompiledRule, compileRule } from './rules';
import { stableStringify } from './stableStringify';
import type { EvalScope } from './verdict';
import {
  DeclaredWaiver,
  WAIVER_ANNOTATION_PREFIX,
  declaredApiWaiver,
  limitWaiver,
  readWaiverAnnotations,
  selectWaiver,
} from './waivers';

/**
 * Bumped when the engine's semantics change, so that a stored fingerprint tells results apart.
 */
const ENGINE_VERSION = '2';

/**
 * Catalog fields every evaluation needs besides those the rules read: the entity's identity,
 * what rollups group by, and relations for the owner and the System.
 */
const BASE_ENTITY_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.annotations',
  'metadata.links',
  'spec.type',
  'spec.owner',
  'spec.system',
  'spec.lifecycle',
  'relations',
];

/**
 * Options for {@link ScorecardEngine}.
 */
export interface ScorecardEngineOptions {
  /** How messages about invalid definitions start; `Invalid scorecard definitions` by default. */
  errorPrefix?: string;
  /** Value operators added to the rule language, e.g. by modules. */
  operators?: RuleOperator<unknown>[];
  /**
   * The longest a waiver may last, as an ISO-8601 duration (`scorecards.waivers.maxDuration`):
   * a waiver, declared in an annotation or not, that expires later than this after the
   * evaluation does not count. Absent means no limit.
   */
  waiverMaxDuration?: string;
}

/**
 * What to evaluate: one entity, with everything the rules may read.
 */
export interface EvaluateInput {
  /** The entity, with its `relations`. */
  entity: Entity;
  /** Facts about this entity; stale facts count as absent. */
  facts?: readonly Fact[];
  /** Waivers for this entity created through the API (annotation waivers are read from the entity). */
  waivers?: readonly Waiver[];
  /** The catalog, for `$entity`. */
  catalog: CatalogIndex;
  /** The instant to evaluate at. */
  now: Date;
}

/**
 * Everything the engine says about one entity.
 */
export type EntityEvaluationResult = EntityEvaluation;

interface CompiledCheck {
  readonly definition: CheckDefinition;
  readonly id: string;
  readonly appliesTo: CompiledFilter | undefined;
  /** Index of the (shared) `appliesTo` filter, or -1 when the check applies to every entity. */
  readonly filter: number;
  readonly rule: CompiledRule;
  readonly weight: number;
  readonly advisory: boolean;
  /** NaN when the check has no enforcement date. */
  readonly enforcedFromMs: number;
  readonly notApplicable: string;
}

interface CompiledScorecard {
  readonly definition: ScorecardDefinition;
  readonly appliesTo: CompiledFilter | undefined;
  readonly checks: readonly number[];
  readonly levels: ReadonlyArray<{ name: string; checks: readonly number[] }>;
}

function definitionError(
  prefix: string,
  what: 'check' | 'scorecard',
  id: string,
  field: string,
  detail: string,
): never {
  throw new InputError(
    `${prefix}: ${what} '${id}' field '${field}': ${detail}`,
  );
}

/** The catalog field (for paging with `fields`) that holds a path. */
function fieldOf(path: string): string {
  const [first, second] = path.split('.', 2);
  if (second !== undefined && ['metadata', 'spec', 'status'].includes(first)) {
    return `${first}.${second}`;
  }
  return first;
}

/** An ISO date or date-time, for `enforcedFrom`; NaN when invalid. */
function parseEnforcedFrom(text: unknown): number {
  return typeof text === 'string' ? parseIsoInstant(text) : NaN;
}

interface CompiledDefinitions {
  checks: CompiledCheck[];
  scorecards: CompiledScorecard[];
  /** Distinct `appliesTo` filters; most checks share one, so each is tested once per entity. */
  filters: CompiledFilter[];
}

function compileDefinitions(
  definitions: ScorecardDefinitions,
  registry: OperatorRegistry,
  prefix: string,
): CompiledDefinitions {
  const filters: CompiledFilter[] = [];
  const filterIndex = new Map<string, number>();
  const shared = (filter: CompiledFilter, predicate: unknown) => {
    const key = stableStringify(predicate);
    let index = filterIndex.get(key);
    if (index === undefined) {
      index = filters.length;
      filters.push(filter);
      filterIndex.set(key, index);
    }
    return index;
  };
  const checkIndex = new Map(definitions.checks.map((c, i) => [c.id, i]));
  const indexOf = (checkId: string) => {
    const index = checkIndex.get(checkId);
    if (index === undefined) {
      throw new Error(`A scorecard names the unknown check '${checkId}'`);
    }
    return index;
  };
  const compileAppliesTo = (
    appliesTo: unknown,
    fail: (field: string, detail: string) => never,
  ) => {
    try {
      return appliesTo === undefined ? undefined : compileFilter(appliesTo);
    } catch (error) {
      return fail('appliesTo', (error as Error).message);
    }
  };
  const checks = definitions.checks.map((definition): CompiledCheck => {
    const id = definition.id;
    const fail = (field: string, detail: string) =>
      definitionError(prefix, 'check', id, field, detail);
    const appliesTo = compileAppliesTo(definition.appliesTo, fail);
    let rule: CompiledRule;
    try {
      rule = compileRule(definition.rule, registry);
    } catch (error) {
      return fail('rule', (error as Error).message);
    }
    let enforcedFromMs = NaN;
    if (definition.enforcedFrom !== undefined) {
      enforcedFromMs = parseEnforcedFrom(definition.enforcedFrom);
      if (Number.isNaN(enforcedFromMs)) {
        fail(
          'enforcedFrom',
          `'${definition.enforcedFrom}' is not an ISO date such as 2027-01-15`,
        );
      }
    }
    return {
      definition,
      id,
      appliesTo,
      filter: appliesTo ? shared(appliesTo, definition.appliesTo) : -1,
      rule,
      weight: CHECK_SEVERITY_WEIGHTS[definition.severity],
      advisory: definition.severity === 'warning',
      enforcedFromMs,
      notApplicable: appliesTo
        ? `Not applicable: this check is for entities where ${appliesTo.description}.`
        : 'Not applicable.',
    };
  });

  const scorecards = definitions.scorecards.map(
    (definition): CompiledScorecard => ({
      definition,
      appliesTo: compileAppliesTo(definition.appliesTo, (field, detail) =>
        definitionError(prefix, 'scorecard', definition.id, field, detail),
      ),
      checks: definition.checks.map(indexOf),
      levels: definition.levels.map(level => ({
        name: level.name,
        checks: level.checks.map(indexOf),
      })),
    }),
  );
  return { checks, scorecards, filters };
}

const EMPTY_FACTS: Record<string, JsonValue> = Object.freeze(
  Object.create(null),
);

function newCounts(): Record<CheckStatus, number> {
  return {
    error: 0,
    fail: 0,
    warn: 0,
    waived: 0,
    pass: 0,
    'not-applicable': 0,
  };
}

/**
 * Evaluates scorecards: definitions, an entity with its relations, facts, waivers, the catalog
 * and the current time in; results out. Pure: no I/O and no clock of its own.
 */
export class ScorecardEngine {
  /** The definitions as given. */
  readonly definitions: ScorecardDefinitions;
  /** A stable hash of the definitions (and operator names), to tell when they changed. */
  readonly fingerprint: string;
  /**
   * A stable hash per scorecard, by id, of what its results depend on besides the entity: the
   * scorecard, its checks and the engine's semantics. Trends tell by it when a scorecard's
   * definitions, rather than an entity, moved a score.
   */
  readonly scorecardFingerprints: Readonly<Record<string, string>>;

  readonly #checks: CompiledCheck[];
  readonly #scorecards: CompiledScorecard[];
  readonly #checkIds: ReadonlySet<string>;
  /** Distinct `appliesTo` filters of the checks, by index. */
  readonly #filters: CompiledFilter[];
  readonly #waiverMaxDuration: CompiledDuration | undefined;

  /**
   * Compiles every rule and `appliesTo` once; throws an InputError naming the check or scorecard
   * and field when a definition is invalid.
   */
  constructor(
    definitions: ScorecardDefinitions,
    options: ScorecardEngineOptions = {},
  ) {
    const registry = new OperatorRegistry(options.operators);
    const compiled = compileDefinitions(
      definitions,
      registry,
      options.errorPrefix ?? 'Invalid scorecard definitions',
    );
    this.definitions = definitions;
    this.#checks = compiled.checks;
    this.#scorecards = compiled.scorecards;
    this.#checkIds = new Set(compiled.checks.map(c => c.id));
    this.#filters = compiled.filters;
    this.#waiverMaxDuration =
      options.waiverMaxDuration === undefined
        ? undefined
        : compileDuration(options.waiverMaxDuration);
    const hash = (value: unknown) =>
      createHash('sha256')
        .update(
          stableStringify({
            engine: ENGINE_VERSION,
            operators: registry.names,
            waiverMaxDuration: options.waiverMaxDuration,
            ...(value as object),
          }),
        )
        .digest('hex');
    this.fingerprint = hash({
      checks: definitions.checks,
      scorecards: definitions.scorecards,
    });
    const checksById = new Map(definitions.checks.map(c => [c.id, c]));
    this.scorecardFingerprints = Object.fromEntries(
      definitions.scorecards.map(scorecard => [
        scorecard.id,
        hash({
          scorecard,
          checks: scorecard.checks.map(id => checksById.get(id)),
        }),
      ]),
    );
  }

  /**
   * The catalog fields the rules read, for paging the catalog with `fields`; always includes the
   * entity's identity, title, annotations, links, type, owner, system, lifecycle and relations.
   */
  entityFields(): string[] {
    const fields = new Set(BASE_ENTITY_FIELDS);
    for (const path of this.#paths()) {
      fields.add(fieldOf(path));
    }
    // A whole object makes its sub-fields redundant.
    return [...fields]
      .filter(field => {
        const dot = field.indexOf('.');
        return dot === -1 || !fields.has(field.slice(0, dot));
      })
      .sort();
  }

  /** Evaluates every scorecard that applies to the entity. Never throws on entity data. */
  evaluate(input: EvaluateInput): EntityEvaluationResult {
    const { entity, now } = input;
    const entityRef = entityRefOf(entity);
    const applicable = this.#scorecards.filter(
      scorecard => !scorecard.appliesTo || scorecard.appliesTo.test(entity),
    );
    if (applicable.length === 0) {
      return { entityRef, checks: [], scorecards: [] };
    }
    const plan = [...new Set(applicable.flatMap(s => s.checks))].sort(
      (a, b) => a - b,
    );
    const nowMs = now.getTime();
    const scope = this.#scope(input, nowMs);
    const waivers = this.#waivers(input, entityRef, nowMs);

    // Each distinct `appliesTo` is tested once per entity.
    const applies = new Map<number, boolean>();
    const appliesTo = (filter: number) => {
      let known = applies.get(filter);
      if (known === undefined) {
        known = this.#filters[filter].test(entity);
        applies.set(filter, known);
      }
      return known;
    };
    // Results by check index, for the scorecards.
    const results: CheckResult[] = [];
    const checks = plan.map(index => {
      const check = this.#checks[index];
      const result = this.#evaluateCheck(
        check,
        check.filter === -1 || appliesTo(check.filter),
        entity,
        scope,
        waivers?.byCheck.get(check.id),
      );
      results[index] = result;
      return result;
    });
    const scorecards = applicable.map(scorecard =>
      this.#scorecardResult(scorecard, results),
    );
    const evaluation: EntityEvaluationResult = {
      entityRef,
      checks,
      scorecards,
    };
    const problems = waivers && this.#waiverProblems(waivers, plan);
    if (problems?.length) {
      evaluation.waiverProblems = problems;
    }
    return evaluation;
  }

  /** Every entity path that rules and `appliesTo` read. */
  #paths(): string[] {
    return [
      ...this.#checks.flatMap(c => [
        ...c.rule.paths,
        ...(c.appliesTo?.paths ?? []),
      ]),
      ...this.#scorecards.flatMap(s => s.appliesTo?.paths ?? []),
    ];
  }

  #scope(input: EvaluateInput, nowMs: number): EvalScope {
    const facts = input.facts;
    if (!facts || facts.length === 0) {
      return {
        now: input.now,
        nowMs,
        catalog: input.catalog,
        facts: EMPTY_FACTS,
        staleFacts: undefined,
      };
    }
    // A plain object holds any fact name but '__proto__', which isUsableFact skips.
    const fresh: Record<string, JsonValue> = {};
    let stale: Record<string, Fact> | undefined;
    for (let i = 0; i < facts.length; i++) {
      const fact = facts[i];
      if (!isUsableFact(fact)) {
        continue;
      }
      const observedMs = observedAtOf(fact);
      if (isSuperseded(facts, i, observedMs)) {
        continue;
      }
      if (isFactFresh(fact, nowMs, observedMs)) {
        fresh[fact.name] = fact.value;
      } else {
        stale ??= {};
        stale[fact.name] = fact;
      }
    }
    return {
      now: input.now,
      nowMs,
      catalog: input.catalog,
      facts: fresh,
      staleFacts: stale,
    };
  }

  /**
   * Problems of the declared waivers: those of unknown checks, and those of checks that none of
   * the entity's scorecards include (they would excuse nothing).
   */
  #waiverProblems(
    waivers: {
      byCheck: Map<string, DeclaredWaiver[]>;
      problems: WaiverProblem[];
    },
    plan: number[],
  ): WaiverProblem[] {
    const evaluated = new Set(plan.map(i => this.#checks[i].id));
    const problems = [...waivers.problems];
    for (const [checkId, declared] of waivers.byCheck) {
      if (!evaluated.has(checkId)) {
        problems.push(
          ...declared.map(waiver =>
            problemOf(
              waiver,
              `The waiver names the check '${checkId}', which no scorecard of this entity includes.`,
            ),
          ),
        );
      }
    }
    return problems;
  }

  #waivers(
    input: EvaluateInput,
    entityRef: string,
    nowMs: number,
  ):
    | { byCheck: Map<string, DeclaredWaiver[]>; problems: WaiverProblem[] }
    | undefined {
    const annotations = (input.entity.metadata as { annotations?: unknown })
      ?.annotations;
    let declared: DeclaredWaiver[] | undefined;
    const mayHaveWaivers =
      annotations !== null &&
      typeof annotations === 'object' &&
      Object.keys(annotations).some(key =>
        key.startsWith(WAIVER_ANNOTATION_PREFIX),
      );
    if (mayHaveWaivers) {
      declared = readWaiverAnnotations(annotations, {
        entityRef,
        grantedBy: ownerRefOf(input.entity) ?? entityRef,
      });
    }
    const api = input.waivers;
    if (api?.length) {
      declared = [...(declared ?? []), ...api.map(declaredApiWaiver)];
    }
    if (!declared?.length) {
      return undefined;
    }
    const byCheck = new Map<string, DeclaredWaiver[]>();
    const problems: WaiverProblem[] = [];
    const limit = this.#waiverMaxDuration;
    for (const found of declared) {
      const waiver = limit ? limitWaiver(found, limit, nowMs) : found;
      if (!this.#checkIds.has(waiver.checkId)) {
        problems.push(
          problemOf(
            waiver,
            `The waiver names the check '${waiver.checkId}', which does not exist.`,
          ),
        );
        continue;
      }
      const list = byCheck.get(waiver.checkId);
      if (list) {
        list.push(waiver);
      } else {
        byCheck.set(waiver.checkId, [waiver]);
      }
    }
    return { byCheck, problems };
  }

  #evaluateCheck(
    check: CompiledCheck,
    applies: boolean,
    entity: unknown,
    scope: EvalScope,
    waivers: DeclaredWaiver[] | undefined,
  ): CheckResult {
    const advisory = check.advisory;
    const enforced =
      !advisory &&
      (Number.isNaN(check.enforcedFromMs) ||
        scope.nowMs >= check.enforcedFromMs);
    if (!applies) {
      const result: CheckResult = {
        checkId: check.id,
        status: 'not-applicable',
        explanation: check.notApplicable,
        enforced,
      };
      if (waivers) {
        result.waiver = unneeded(
          waivers,
          scope.nowMs,
          'the check does not apply',
        );
      }
      return result;
    }

    const verdict = check.rule.evaluate(entity, scope);
    let explanation = explainVerdict(verdict);
    let status: CheckStatus;
    let waiver: WaiverOutcome | undefined;
    if (verdict.outcome === 'pass') {
      status = 'pass';
      if (waivers) {
        waiver = unneeded(waivers, scope.nowMs, 'the check passes');
        explanation = `${explanation} ${capitalize(waiver.problem!)}.`;
      }
    } else {
      const selected = waivers ? selectWaiver(waivers, scope.nowMs) : undefined;
      if (selected?.current) {
        status = 'waived';
        waiver = selected.outcome;
        const granted = selected.current.waiver!;
        explanation = `Waived until ${selected.until} by ${
          granted.grantedBy
        } (${granted.reason}): ${explainVerdict(verdict, false)}`;
      } else {
        if (verdict.outcome === 'error') {
          status = 'error';
        } else {
          status = enforced ? 'fail' : 'warn';
        }
        if (selected) {
          waiver = selected.outcome;
          explanation = `${explanation} Waiver not applied: ${selected.outcome.problem}.`;
        }
        if (!enforced) {
          explanation = check.advisory
            ? `${explanation} This check is advisory.`
            : `${explanation} Not enforced until ${check.definition.enforcedFrom}.`;
        }
      }
    }
    const observed = observedOf(verdict);
    const expected = expectedOf(verdict);
    return {
      checkId: check.id,
      status,
      explanation,
      enforced,
      ...(observed === undefined ? {} : { observed }),
      expected,
      ...(waiver ? { waiver } : {}),
    };
  }

  #scorecardResult(
    scorecard: CompiledScorecard,
    results: CheckResult[],
  ): ScorecardResult {
    const counts = newCounts();
    let earned = 0;
    let possible = 0;
    for (const index of scorecard.checks) {
      const result = results[index];
      const status = result.status;
      counts[status]++;
      if (result.enforced && status !== 'not-applicable' && status !== 'warn') {
        const weight = this.#checks[index].weight;
        possible += weight;
        if (status === 'pass' || status === 'waived') {
          earned += weight;
        }
      }
    }
    const levels = scorecard.levels;
    let levelIndex = -1;
    const blockedBy: string[] = [];
    for (let l = 0; l < levels.length; l++) {
      const required = levels[l].checks;
      for (let i = 0; i < required.length; i++) {
        const result = results[required[i]];
        if (
          result.enforced &&
          (result.status === 'fail' || result.status === 'error')
        ) {
          blockedBy.push(result.checkId);
        }
      }
      if (blockedBy.length > 0) {
        break;
      }
      levelIndex = l;
    }
    const result: ScorecardResult = {
      scorecardId: scorecard.definition.id,
      level: levelIndex >= 0 ? levels[levelIndex].name : null,
      levelIndex,
      score: possible === 0 ? 100 : Math.round((100 * earned) / possible),
      counts,
    };
    if (levelIndex + 1 < levels.length) {
      result.nextLevel = { name: levels[levelIndex + 1].name, blockedBy };
    }
    return result;
  }
}

function isUsableFact(fact: Fact | undefined): fact is Fact {
  return (
    typeof fact === 'object' &&
    fact !== null &&
    typeof fact.name === 'string' &&
    fact.name !== '__proto__'
  );
}

/** Whether another fact of the same name was observed later (or as late, and given first). */
function isSuperseded(
  facts: readonly Fact[],
  index: number,
  observedMs: number,
): boolean {
  const name = facts[index].name;
  for (let j = 0; j < facts.length; j++) {
    const other = facts[j];
    if (j !== index && isUsableFact(other) && other.name === name) {
      const otherMs = observedAtOf(other);
      if (otherMs > observedMs || (otherMs === observedMs && j < index)) {
        return true;
      }
    }
  }
  return false;
}

/** A waiver that exists but is not needed: it does not count, and says so. */
function unneeded(
  waivers: DeclaredWaiver[],
  nowMs: number,
  why: string,
): WaiverOutcome {
  const selected = selectWaiver(waivers, nowMs);
  if (!selected.current) {
    return selected.outcome;
  }
  return {
    applied: false,
    waiver: selected.outcome.waiver,
    problem: `the waiver until ${selected.until} is not needed: ${why}`,
  };
}

function problemOf(waiver: DeclaredWaiver, problem: string): WaiverProblem {
  return {
    checkId: waiver.checkId,
    ...(waiver.annotation ? { annotation: waiver.annotation } : {}),
    ...(waiver.waiver?.id ? { waiverId: waiver.waiver.id } : {}),
    problem,
  };
}

/** The owner of an entity as a full ref, from its ownedBy relation or spec.owner. */
function ownerRefOf(entity: EvaluateInput['entity']): string | undefined {
  const relations = entity.relations;
  if (Array.isArray(relations)) {
    for (const relation of relations) {
      if (
        relation &&
        typeof relation === 'object' &&
        (relation as { type?: unknown }).type === 'ownedBy' &&
        typeof (relation as { targetRef?: unknown }).targetRef === 'string'
      ) {
        return (relation as { targetRef: string }).targetRef.toLowerCase();
      }
    }
  }
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner === 'string') {
    const namespace = entity.metadata?.namespace;
    return normalizeEntityRef(owner, {
      kind: 'group',
      namespace:
        typeof namespace === 'string' && namespace ? namespace : 'default',
    });
  }
  return undefined;
}
