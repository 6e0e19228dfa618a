import { InputError, NotFoundError } from '@backstage/errors';
import {
  CategoryPassRate,
  CategoryRollupRow,
  CheckDefinition,
  CHECK_STATUSES,
  CheckRollupRow,
  CheckStatus,
  EntityScoreRow,
  GroupRollupNode,
  HeatmapResponse,
  NewTrendEntity,
  RefRollupRow,
  RollupResponse,
  RollupSummary,
  ScorecardDefinition,
  ScorecardDefinitions,
  TeamMover,
  TrendMover,
  TrendPoint,
  TrendsResponse,
} from '@guardrails/plugin-scorecards-common';
import { createHash } from 'node:crypto';
import { DateTime, Duration } from 'luxon';
import type { ScorecardsStore, ScoreFilter } from '../database';
import { defaultScorecardId } from '../definitions';
import type { OrgEntity, OrgGroup } from '../run/CatalogSnapshot';
import { isVisible, Visible } from './CatalogVisibility';
import {
  countHeatmap,
  type HeatmapRowSpec,
  type KeyedCheckCount,
} from './heatmap';
import { checkChanges, entityCauses, round1, teamCauses } from './movers';
import { OrgTree } from './OrgTree';

/** A scope of a rollup or trend: everything, or one group (transitively), System or Domain. */
export type Scope =
  | { type: 'all' }
  | { type: 'group' | 'system' | 'domain'; ref: string };

/** Dimensions a rollup aggregates along. */
export type RollupDimension = RollupResponse['by'];

/** What the last run saved about the organisation. */
interface OrgState {
  groups?: OrgGroup[];
  systems?: OrgEntity[];
  domains?: OrgEntity[];
}

interface Snapshot {
  version: number;
  tree: OrgTree;
  /** Titles of the catalog's Systems and Domains, by ref. */
  titles: Map<string, string>;
  rows: Map<string, EntityScoreRow[]>;
  /** Serialised answers of callers who may read everything, by request. */
  answers: Map<string, SerialisedAnswer>;
  /**
   * Serialised answers of callers who may read only some entities, by the set they may read
   * (which the visibility cache keeps while it holds), then by request.
   */
  visibleAnswers: WeakMap<ReadonlySet<string>, Map<string, SerialisedAnswer>>;
}

/**
 * An answer as it goes out: its UTF-8 bytes and a weak entity tag of them, made once so that a
 * cached answer is not encoded and hashed again for each caller.
 */
export interface SerialisedAnswer {
  body: Buffer;
  etag: string;
}

function serialise(value: unknown): SerialisedAnswer {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  const hash = createHash('sha1').update(body).digest('base64').slice(0, 27);
  return { body, etag: `W/"${body.length.toString(16)}-${hash}"` };
}

/** The most serialised answers kept per caller's view of one version of the store. */
const MAX_CACHED_ANSWERS = 200;

/** The most points a trend may have. */
const MAX_TREND_POINTS = 400;

/**
 * Aggregates the latest results for leadership: along the group tree, by System and Domain, by
 * check and category, and over time. What it reads is cached until the store's version moves,
 * so repeated rollups cost no database work. Every answer counts and names only what the caller
 * may read (`visible`, every entity unless said otherwise).
 */
export class RollupService {
  readonly #store: ScorecardsStore;
  readonly #definitions: ScorecardDefinitions;
  #snapshot?: Promise<Snapshot>;
  readonly #checkCounts = new Map<string, Promise<CheckCount[]>>();
  readonly #keyedCounts = new Map<string, Promise<KeyedCheckCount[]>>();

  constructor(options: {
    store: ScorecardsStore;
    definitions: ScorecardDefinitions;
  }) {
    this.#store = options.store;
    this.#definitions = options.definitions;
  }

  /**
   * Reads the store's standings and builds the org rollup page's first answer (the top of the
   * group tree of the first scorecard, for a caller who may read everything) before anyone asks:
   * a run calls it when it ends, so the first leader after it does not wait for them.
   */
  async warm(): Promise<void> {
    // The scorecard the page asks for when its URL names none, as the router defaults it.
    const scorecardId = defaultScorecardId(this.#definitions);
    if (!scorecardId) return;
    await this.rollupAnswer({
      scorecardId,
      by: 'group',
      scope: { type: 'all' },
      depth: 1,
    });
  }

  /**
   * {@link RollupService.rollup} as the bytes and entity tag a response sends, built and
   * serialised once per version of the store, organisation and caller's view: under load, an
   * unchanged store answers every caller from the same bytes.
   */
  async rollupAnswer(options: {
    scorecardId: string;
    by: RollupDimension;
    scope: Scope;
    visible?: Visible;
    depth?: number;
  }): Promise<SerialisedAnswer> {
    const snapshot = await this.#load();
    const visible = options.visible ?? 'all';
    let answers: Map<string, SerialisedAnswer> | undefined = snapshot.answers;
    if (visible !== 'all') {
      answers = snapshot.visibleAnswers.get(visible);
      if (!answers) {
        answers = new Map();
        snapshot.visibleAnswers.set(visible, answers);
      }
    }
    const key = JSON.stringify([
      options.scorecardId,
      options.by,
      scopeName(options.scope),
      options.depth ?? null,
    ]);
    const cached = answers.get(key);
    if (cached !== undefined) {
      return cached;
    }
    const answer = serialise(await this.rollup(options, snapshot));
    if (answers.size >= MAX_CACHED_ANSWERS) {
      // The oldest answer goes first: Maps keep insertion order.
      answers.delete(answers.keys().next().value!);
    }
    answers.set(key, answer);
    return answer;
  }

  /**
   * One scorecard aggregated along one dimension, within a scope. By group, `depth` cuts the
   * tree that many levels below its top: the nodes there come without children, saying
   * whether they have some, so a page can expand a node on demand.
   */
  async rollup(
    options: {
      scorecardId: string;
      by: RollupDimension;
      scope: Scope;
      visible?: Visible;
      depth?: number;
    },
    loaded?: Snapshot,
  ): Promise<RollupResponse> {
    const scorecard = this.scorecard(options.scorecardId);
    const visible = options.visible ?? 'all';
    const snapshot = loaded ?? (await this.#load());
    const levels = scorecard.levels.map(l => l.name);
    const rows = this.#inScope(
      snapshot,
      snapshot.rows.get(scorecard.id) ?? [],
      options.scope,
      visible,
    );
    const base = {
      scorecardId: scorecard.id,
      title: scorecard.title,
      levels,
      summary: summarize(rows, levels),
    };

    switch (options.by) {
      case 'group':
        return {
          ...base,
          by: 'group',
          ...groupRollup(
            snapshot.tree,
            rows,
            levels,
            options.scope,
            visible,
            options.depth,
            categoryCounter(
              this.#scorecardChecks(scorecard),
              await this.#keyedCheckCounts(
                snapshot,
                scorecard,
                'owner',
                rows,
                options.scope,
                visible,
              ),
            ),
          ),
        };
      case 'system':
      case 'domain': {
        const key = options.by === 'system' ? 'systemRef' : 'domainRef';
        return {
          ...base,
          by: options.by,
          ...refRollup(rows, key, levels, snapshot.titles, visible),
        };
      }
      case 'check':
      case 'category': {
        const counts = await this.#countChecks(
          snapshot,
          scorecard,
          rows,
          options.scope,
          visible,
        );
        const checkRows = this.#checkRows(scorecard, counts);
        return options.by === 'check'
          ? { ...base, by: 'check', rows: checkRows }
          : { ...base, by: 'category', rows: categoryRows(checkRows) };
      }
      default:
        throw new InputError(`Unknown rollup dimension '${options.by}'`);
    }
  }

  /**
   * Store filters for the entities of a scope, for drill-downs: a group scope covers the group
   * and every group below it.
   */
  async scopeFilter(
    scope: Scope,
    visible: Visible = 'all',
  ): Promise<ScoreFilter> {
    if (scope.type === 'all') {
      return {};
    }
    const snapshot = await this.#load();
    assertScopeExists(snapshot, scope, visible);
    switch (scope.type) {
      case 'group':
        return { ownerRefs: snapshot.tree.subtree(scope.ref) };
      case 'system':
        return { systemRef: scope.ref };
      default:
        return { domainRef: scope.ref };
    }
  }

  /**
   * The latest standings, against every scorecard, of the scope's entities the caller may read,
   * from the read model cached until the store's version moves; a 404 for a scope that is not
   * there for the caller.
   */
  async scopeRows(
    scope: Scope,
    visible: Visible = 'all',
  ): Promise<EntityScoreRow[]> {
    const snapshot = await this.#load();
    if (scope.type !== 'all') {
      assertScopeExists(snapshot, scope, visible);
    }
    return [...snapshot.rows.values()].flatMap(rows =>
      this.#inScope(snapshot, rows, scope, visible),
    );
  }

  /** A scope's standing at regular points over a window, and who moved most. */
  async trends(options: {
    scorecardId: string;
    scope: Scope;
    from: Date;
    to: Date;
    interval: Duration;
    visible?: Visible;
  }): Promise<TrendsResponse> {
    const scorecard = this.scorecard(options.scorecardId);
    const visible = options.visible ?? 'all';
    const levels = scorecard.levels.map(l => l.name);
    const from = DateTime.fromJSDate(options.from).toUTC();
    const to = DateTime.fromJSDate(options.to).toUTC();
    const stepMs = options.interval.toMillis();
    if (!(stepMs > 0)) {
      throw new InputError('interval must be a positive ISO-8601 duration');
    }
    if (to.diff(from).toMillis() / stepMs > MAX_TREND_POINTS) {
      throw new InputError(
        `The window holds more than ${MAX_TREND_POINTS} intervals; widen the interval or narrow the window`,
      );
    }

    const snapshot = await this.#load();
    // Entities no longer stored (removed) are in no one's scope but everyone's: left out only
    // for a caller who may not read every entity.
    const entityRefs =
      options.scope.type === 'all' && visible === 'all'
        ? undefined
        : this.#inScope(
            snapshot,
            snapshot.rows.get(scorecard.id) ?? [],
            options.scope,
            visible,
          ).map(r => r.entityRef);
    const events = await this.#store.getScoreHistory({
      scorecardId: scorecard.id,
      entityRefs,
      from: from.toJSDate(),
      to: to.toJSDate(),
    });

    const standing = new Map<string, Standing>();
    /** Each entity's score change of its own doing, since the window's start. */
    const changes = new Map<string, number>();
    let start: Map<string, Standing> | undefined;
    /** When entities without a standing at the window's start were first scored in it. */
    const appeared = new Map<string, string>();
    let definitionsChanged = false;
    const points: TrendPoint[] = [];
    let next = 0;
    const eventTimes = events.map(e => Date.parse(e.at));
    const advanceTo = (at: DateTime) => {
      const atMs = at.toMillis();
      while (next < events.length && eventTimes[next] <= atMs) {
        const event = events[next++];
        const before = standing.get(event.entityRef);
        if (event.type === 'removed') {
          standing.delete(event.entityRef);
          continue;
        }
        standing.set(event.entityRef, {
          score: event.score,
          level: event.level,
          // History written before failing counts were kept: a score below 100 means a
          // counted check failed or errored.
          failing:
            event.failing === undefined ? event.score < 100 : event.failing > 0,
        });
        // An entity without a standing at the window's start that is scored in it is new.
        if (
          start &&
          !start.has(event.entityRef) &&
          !appeared.has(event.entityRef)
        ) {
          appeared.set(event.entityRef, event.at);
        }
        // Within the window, a change that came with new definitions is nobody's doing; one
        // that brought the entity into the scorecard is neither an improvement nor a regression.
        if (start && event.definitionsChanged) {
          definitionsChanged = true;
        } else if (start && before) {
          changes.set(
            event.entityRef,
            (changes.get(event.entityRef) ?? 0) + event.score - before.score,
          );
        }
      }
    };
    const pointAt = (at: DateTime) => {
      advanceTo(at);
      start ??= new Map(standing);
      points.push({
        at: at.toISO()!,
        ...summarize(standing.values(), levels),
        ...(definitionsChanged && { definitionsChanged: true }),
      });
      definitionsChanged = false;
    };
    let at = from;
    for (; at <= to; at = at.plus(options.interval)) {
      pointAt(at);
    }
    // The window's end is a point of its own, so the trend ends with the latest standing.
    if (at.minus(options.interval) < to) {
      pointAt(to);
    }

    const movers: Array<Omit<TrendMover, 'causes'>> = [];
    for (const [ref, change] of changes) {
      const before = start?.get(ref);
      const after = standing.get(ref);
      if (change !== 0 && before && after) {
        movers.push({
          entityRef: ref,
          fromScore: before.score,
          toScore: after.score,
          fromLevel: before.level,
          toLevel: after.level,
          change,
        });
      }
    }
    const byRef = (a: { entityRef: string }, b: { entityRef: string }) =>
      a.entityRef.localeCompare(b.entityRef);
    const improved = movers
      .filter(m => m.change > 0)
      .sort((a, b) => b.change - a.change || byRef(a, b))
      .slice(0, 10);
    const regressed = movers
      .filter(m => m.change < 0)
      .sort((a, b) => a.change - b.change || byRef(a, b))
      .slice(0, 10);

    const teams = teamMovers({
      tree: snapshot.tree,
      rows: snapshot.rows.get(scorecard.id) ?? [],
      inScope: entityRefs ? new Set(entityRefs) : undefined,
      visible,
      start: start ?? new Map(),
      end: standing,
      changes,
    });

    // The checks that changed, for the movers and the teams' entities only.
    const checks = new Map(
      this.#scorecardChecks(scorecard).map(c => [c.id, c]),
    );
    const explained = [
      ...improved.map(m => m.entityRef),
      ...regressed.map(m => m.entityRef),
      ...teams.improved.flatMap(t => t.entityRefs),
      ...teams.regressed.flatMap(t => t.entityRefs),
    ];
    const checkChangesByRef =
      explained.length === 0
        ? new Map()
        : checkChanges(
            await this.#store.getCheckHistory({
              checkIds: scorecard.checks,
              entityRefs: [...new Set(explained)],
              from: from.toJSDate(),
              to: to.toJSDate(),
            }),
            from.toJSDate(),
            to.toJSDate(),
          );
    const withCauses = (list: typeof movers, direction: 1 | -1) =>
      list.map(
        ({ entityRef, ...mover }): TrendMover => ({
          entityRef,
          causes: entityCauses(
            checkChangesByRef.get(entityRef),
            checks,
            direction,
          ),
          ...mover,
        }),
      );
    const teamsWithCauses = (list: TeamChange[], direction: 1 | -1) =>
      list.map(
        ({ entityRefs: refs, ...team }): TeamMover => ({
          ...team,
          causes: teamCauses(refs, checkChangesByRef, checks, direction),
        }),
      );

    const newEntities = [...appeared.entries()]
      .map(([entityRef, firstAt]): NewTrendEntity => {
        const now = standing.get(entityRef);
        return {
          entityRef,
          at: firstAt,
          score: now?.score ?? null,
          level: now?.level ?? null,
        };
      })
      .sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || byRef(a, b));

    return {
      scorecardId: scorecard.id,
      scope: scopeName(options.scope),
      interval: options.interval.toISO()!,
      points,
      improved: withCauses(improved, 1),
      regressed: withCauses(regressed, -1),
      teams: {
        improved: teamsWithCauses(teams.improved, 1),
        regressed: teamsWithCauses(teams.regressed, -1),
      },
      new: { entities: newEntities.slice(0, 10), total: newEntities.length },
    };
  }

  /**
   * The kinds of entity answers count or name: those of the evaluated entities, and the Groups,
   * Systems and Domains rollups follow.
   */
  async kinds(): Promise<string[]> {
    const { rows } = await this.#load();
    const kinds = new Set(['group', 'system', 'domain']);
    for (const list of rows.values()) {
      for (const row of list) kinds.add(row.kind);
    }
    return [...kinds].sort();
  }

  /** The scorecard with this id, or a 404. */
  scorecard(id: string): ScorecardDefinition {
    const scorecard = this.#definitions.scorecards.find(s => s.id === id);
    if (!scorecard) {
      throw new NotFoundError(`No scorecard '${id}'`);
    }
    return scorecard;
  }

  /**
   * The scope's child groups (for the whole organisation, the groups below its root; a Domain's
   * Systems; a System's owner groups) against the scorecard's checks or categories. A group
   * without child groups is a row of its own.
   */
  async heatmap(options: {
    scorecardId: string;
    scope: Scope;
    axis: HeatmapResponse['axis'];
    visible?: Visible;
  }): Promise<HeatmapResponse> {
    const scorecard = this.scorecard(options.scorecardId);
    const visible = options.visible ?? 'all';
    const snapshot = await this.#load();
    const rows = this.#inScope(
      snapshot,
      snapshot.rows.get(scorecard.id) ?? [],
      options.scope,
      visible,
    );
    const tree =
      visible === 'all' ? snapshot.tree : snapshot.tree.visibleTo(visible);
    const by = options.scope.type === 'domain' ? 'system' : 'owner';
    const specs: HeatmapRowSpec[] = [];
    const addGroups = (groups: OrgGroup[]) => {
      for (const group of groups) {
        // Entities of groups the caller may not read count in the visible group above them.
        const keys = new Set(snapshot.tree.subtree(group.ref));
        specs.push({
          ref: group.ref,
          title: group.title,
          keys,
          entities: rows.filter(r => r.ownerRef && keys.has(r.ownerRef)).length,
        });
      }
    };
    switch (options.scope.type) {
      case 'all': {
        const roots = tree.roots();
        addGroups(roots.length === 1 ? tree.children(roots[0].ref) : roots);
        break;
      }
      case 'group': {
        const children = tree.children(options.scope.ref);
        addGroups(
          children.length > 0 ? children : [tree.get(options.scope.ref)!],
        );
        break;
      }
      case 'system': {
        const owners = [...new Set(rows.map(r => r.ownerRef))]
          .flatMap(ref => (ref && tree.get(ref) ? [tree.get(ref)!] : []))
          .sort((a, b) => a.title.localeCompare(b.title));
        for (const owner of owners) {
          specs.push({
            ref: owner.ref,
            title: owner.title,
            keys: new Set([owner.ref]),
            entities: rows.filter(r => r.ownerRef === owner.ref).length,
          });
        }
        break;
      }
      default: {
        const systems = [...new Set(rows.map(r => r.systemRef))]
          .flatMap(ref => (ref && isVisible(visible, ref) ? [ref] : []))
          .map(ref => ({ ref, title: snapshot.titles.get(ref) ?? ref }))
          .sort((a, b) => a.title.localeCompare(b.title));
        for (const system of systems) {
          specs.push({
            ...system,
            keys: new Set([system.ref]),
            entities: rows.filter(r => r.systemRef === system.ref).length,
          });
        }
      }
    }

    const counts = this.#keyedCheckCounts(
      snapshot,
      scorecard,
      by,
      rows,
      options.scope,
      visible,
    );
    const checks = this.#scorecardChecks(scorecard);
    return {
      scorecardId: scorecard.id,
      scope: scopeName(options.scope),
      axis: options.axis,
      ...countHeatmap({
        axis: options.axis,
        checks,
        rows: specs,
        counts: await counts,
        categoryTitle: category =>
          category.charAt(0).toLocaleUpperCase('en-US') + category.slice(1),
      }),
    };
  }

  /** The definitions of a scorecard's checks, in its order. */
  #scorecardChecks(scorecard: ScorecardDefinition): CheckDefinition[] {
    return scorecard.checks.flatMap(id => {
      const check = this.#definitions.checks.find(c => c.id === id);
      return check ? [check] : [];
    });
  }

  /**
   * Check statuses counted per owner or System, for the entities of `rows`. The whole
   * organisation's counts serve every caller who may read everything (any group scope reads
   * its part of them) and stand until the store's version moves, as check counts do; any other
   * scope or caller counts only the entities in question.
   */
  #keyedCheckCounts(
    snapshot: Snapshot,
    scorecard: ScorecardDefinition,
    by: 'owner' | 'system',
    rows: EntityScoreRow[],
    scope: Scope,
    visible: Visible,
  ): Promise<KeyedCheckCount[]> {
    const whole =
      visible === 'all' && (scope.type === 'all' || scope.type === 'group');
    const count = () =>
      this.#store.countCheckStatusesBy({
        by,
        scorecardId: scorecard.id,
        checkIds: scorecard.checks,
        entityRefs: whole ? undefined : rows.map(r => r.entityRef),
      });
    if (!whole) {
      return count();
    }
    const key = `${snapshot.version}|${scorecard.id}|by-${by}`;
    let counts = this.#keyedCounts.get(key);
    if (!counts) {
      counts = count();
      this.#keyedCounts.set(key, counts);
    }
    return counts;
  }

  #load(): Promise<Snapshot> {
    const previous = this.#snapshot;
    const loading = (async () => {
      // A reorganisation moves the version too: an unchanged version is all a request reads.
      const version = await this.#store.getVersion();
      const cached = previous && (await previous.catch(() => undefined));
      if (cached && cached.version === version) {
        return cached;
      }
      this.#checkCounts.clear();
      this.#keyedCounts.clear();
      const [org, scored] = await Promise.all([
        this.#store.getOrgSnapshot(),
        this.#store.listScores({}),
      ]);
      const rows = new Map<string, EntityScoreRow[]>();
      for (const row of scored.rows) {
        const list = rows.get(row.scorecardId) ?? [];
        list.push(row);
        rows.set(row.scorecardId, list);
      }
      const state = (org ?? {}) as OrgState;
      const titles = new Map(
        [...(state.systems ?? []), ...(state.domains ?? [])].map(e => [
          e.ref,
          e.title,
        ]),
      );
      return {
        version,
        tree: new OrgTree(state.groups ?? []),
        titles,
        rows,
        answers: new Map(),
        visibleAnswers: new WeakMap(),
      };
    })();
    this.#snapshot = loading;
    return loading;
  }

  #inScope(
    snapshot: Snapshot,
    all: EntityScoreRow[],
    scope: Scope,
    visible: Visible,
  ) {
    if (scope.type !== 'all') {
      assertScopeExists(snapshot, scope, visible);
    }
    const rows =
      visible === 'all' ? all : all.filter(r => visible.has(r.entityRef));
    switch (scope.type) {
      case 'all':
        return rows;
      case 'group': {
        const owners = new Set(snapshot.tree.subtree(scope.ref));
        return rows.filter(r => r.ownerRef && owners.has(r.ownerRef));
      }
      case 'system':
        return rows.filter(r => r.systemRef === scope.ref);
      default:
        return rows.filter(r => r.domainRef === scope.ref);
    }
  }

  async #countChecks(
    snapshot: Snapshot,
    scorecard: ScorecardDefinition,
    rows: EntityScoreRow[],
    scope: Scope,
    visible: Visible,
  ): Promise<CheckCount[]> {
    const count = () =>
      this.#store.countCheckStatuses({
        checkIds: scorecard.checks,
        entityRefs:
          scope.type === 'all' && visible === 'all'
            ? undefined
            : rows.map(r => r.entityRef),
        scorecardId: scorecard.id,
      });
    // Counts for one caller's entities are that caller's; only the whole scope's are kept.
    if (visible !== 'all') {
      return count();
    }
    const key = `${snapshot.version}|${scorecard.id}|${scopeName(scope)}`;
    let counts = this.#checkCounts.get(key);
    if (!counts) {
      counts = count();
      this.#checkCounts.set(key, counts);
    }
    return counts;
  }

  #checkRows(scorecard: ScorecardDefinition, counts: CheckCount[]) {
    const byCheck = new Map<string, Record<CheckStatus, number>>();
    for (const { checkId, status, count } of counts) {
      const row = byCheck.get(checkId) ?? emptyCounts();
      row[status] += count;
      byCheck.set(checkId, row);
    }
    const rows: CheckRollupRow[] = [];
    for (const checkId of scorecard.checks) {
      const check = this.#definitions.checks.find(c => c.id === checkId);
      if (!check) continue;
      const c = byCheck.get(checkId) ?? emptyCounts();
      rows.push({
        checkId,
        title: check.title,
        category: check.category,
        severity: check.severity,
        counts: c,
        failing: c.fail + c.error,
      });
    }
    return rows.sort(
      (a, b) => b.failing - a.failing || a.checkId.localeCompare(b.checkId),
    );
  }
}

/** How many entities have a status on a check. */
export interface CheckCount {
  checkId: string;
  status: CheckStatus;
  count: number;
}

function emptyCounts(): Record<CheckStatus, number> {
  return Object.fromEntries(CHECK_STATUSES.map(s => [s, 0])) as Record<
    CheckStatus,
    number
  >;
}

/**
 * Throws 404 unless the last run saw the scope's Group, System or Domain in the catalog and the
 * caller may read it: one the caller may not read is not there for them.
 */
function assertScopeExists(
  snapshot: Snapshot,
  scope: Exclude<Scope, { type: 'all' }>,
  visible: Visible,
) {
  const exists =
    scope.type === 'group'
      ? snapshot.tree.get(scope.ref) !== undefined
      : snapshot.titles.has(scope.ref);
  if (!exists || !isVisible(visible, scope.ref)) {
    throw new NotFoundError(`No ${scope.type} ${scope.ref} in the catalog`);
  }
}

function scopeName(scope: Scope) {
  return scope.type === 'all' ? 'all' : scope.ref;
}

/** How an entity stands against a scorecard, as rollups count it. */
interface Standing {
  score: number;
  level: string | null;
  /** Whether a check fails or errors: a flag, or the failing checks. */
  failing: boolean | readonly string[];
}

interface Accumulator {
  entities: number;
  scoreSum: number;
  levels: Record<string, number>;
  failing: number;
}

function accumulator(levels: string[]): Accumulator {
  return {
    entities: 0,
    scoreSum: 0,
    levels: Object.fromEntries([...levels, 'none'].map(l => [l, 0])),
    failing: 0,
  };
}

function add(acc: Accumulator, row: Standing) {
  acc.entities += 1;
  acc.scoreSum += row.score;
  const level = row.level ?? 'none';
  acc.levels[level] = (acc.levels[level] ?? 0) + 1;
  if (typeof row.failing === 'boolean' ? row.failing : row.failing.length > 0) {
    acc.failing += 1;
  }
}

function finish(acc: Accumulator): RollupSummary {
  return {
    entities: acc.entities,
    averageScore: acc.entities
      ? Math.round((acc.scoreSum / acc.entities) * 10) / 10
      : null,
    levels: acc.levels,
    failing: acc.failing,
  };
}

function summarize(rows: Iterable<Standing>, levels: string[]): RollupSummary {
  const acc = accumulator(levels);
  for (const row of rows) add(acc, row);
  return finish(acc);
}

/** Pass and fail counts per category of a scorecard's checks, for each owner. */
interface CategoryCounter {
  /** The scorecard's categories, in the order its checks first name them. */
  categories: string[];
  /** Per owner: `[pass, fail]` of each category in turn, flat. */
  byOwner: Map<string, number[]>;
}

function categoryCounter(
  checks: CheckDefinition[],
  counts: KeyedCheckCount[],
): CategoryCounter {
  const categories = [...new Set(checks.map(c => c.category))];
  const indexOf = new Map(
    checks.map(c => [c.id, categories.indexOf(c.category)]),
  );
  const byOwner = new Map<string, number[]>();
  for (const { key, checkId, status, count } of counts) {
    const index = indexOf.get(checkId);
    if (key === null || index === undefined) continue;
    let slot: number;
    if (status === 'pass' || status === 'waived') {
      slot = 0;
    } else if (status === 'fail' || status === 'error') {
      slot = 1;
    } else {
      continue;
    }
    let sums = byOwner.get(key);
    if (!sums) {
      sums = new Array(categories.length * 2).fill(0);
      byOwner.set(key, sums);
    }
    sums[index * 2 + slot] += count;
  }
  return { categories, byOwner };
}

function passRates(
  categories: string[],
  sums: number[] | undefined,
): CategoryPassRate[] {
  return categories.map((category, i) => {
    const pass = sums?.[i * 2] ?? 0;
    const fail = sums?.[i * 2 + 1] ?? 0;
    return {
      category,
      pass,
      fail,
      passRate:
        pass + fail === 0
          ? null
          : Math.round((pass / (pass + fail)) * 1000) / 10,
    };
  });
}

/**
 * The group tree with each group's entities and those of the groups below it. For a caller who
 * may not read every entity, groups they may not read are left out of the tree; their entities
 * count in the groups above them that the caller may read (or only in the summary), and among
 * the `own` entities of the nearest of those, so that a group's `own` and its children add up
 * to it.
 */
function groupRollup(
  tree: OrgTree,
  rows: EntityScoreRow[],
  levels: string[],
  scope: Scope,
  visible: Visible,
  depth: number | undefined,
  counter: CategoryCounter,
): {
  groups: GroupRollupNode[];
  ownedByUsers: RollupSummary;
  unowned: RollupSummary;
} {
  const shown = visible === 'all' ? tree : tree.visibleTo(visible);
  const totals = new Map<string, Accumulator>();
  const owned = new Map<string, Accumulator>();
  const own = new Map<string, number>();
  const ownedByUsers = accumulator(levels);
  const unowned = accumulator(levels);
  const accumulate = (map: Map<string, Accumulator>, ref: string) => {
    let acc = map.get(ref);
    if (!acc) {
      acc = accumulator(levels);
      map.set(ref, acc);
    }
    return acc;
  };
  for (const row of rows) {
    const chain = row.ownerRef ? tree.ancestry(row.ownerRef) : [];
    if (chain.length === 0) {
      const byUser = row.ownerExists && row.ownerRef?.startsWith('user:');
      add(byUser ? ownedByUsers : unowned, row);
      continue;
    }
    if (isVisible(visible, chain[0])) {
      own.set(chain[0], (own.get(chain[0]) ?? 0) + 1);
    }
    let nearest = true;
    for (const ref of chain) {
      if (!isVisible(visible, ref)) continue;
      add(accumulate(totals, ref), row);
      if (nearest) {
        add(accumulate(owned, ref), row);
        nearest = false;
      }
    }
  }
  // Category counts come per owner; each owner's go to every group above it the caller may read.
  const categorySums = new Map<string, number[]>();
  for (const [owner, sums] of counter.byOwner) {
    for (const ref of tree.ancestry(owner)) {
      if (!isVisible(visible, ref)) continue;
      const total = categorySums.get(ref);
      if (total) {
        for (let i = 0; i < sums.length; i++) total[i] += sums[i];
      } else {
        categorySums.set(ref, [...sums]);
      }
    }
  }
  const node = (group: OrgGroup, level: number): GroupRollupNode => {
    const children = shown.children(group.ref);
    const cut = depth !== undefined && level >= depth;
    return {
      ref: group.ref,
      title: group.title,
      type: group.type,
      ownEntities: own.get(group.ref) ?? 0,
      ...finish(totals.get(group.ref) ?? accumulator(levels)),
      own: finish(owned.get(group.ref) ?? accumulator(levels)),
      categories: passRates(counter.categories, categorySums.get(group.ref)),
      children: cut ? [] : children.map(child => node(child, level + 1)),
      ...(depth !== undefined && { hasChildren: children.length > 0 }),
    };
  };
  const roots =
    scope.type === 'group' ? [shown.get(scope.ref)!] : shown.roots();
  return {
    groups: roots.map(root => node(root, 0)),
    ownedByUsers: finish(ownedByUsers),
    unowned: finish(unowned),
  };
}

function refRollup(
  rows: EntityScoreRow[],
  key: 'systemRef' | 'domainRef',
  levels: string[],
  titles: Map<string, string>,
  visible: Visible,
): { rows: RefRollupRow[]; unassigned: RollupSummary } {
  const byRef = new Map<string, Accumulator>();
  const unassigned = accumulator(levels);
  for (const row of rows) {
    const ref = row[key];
    if (!ref) {
      add(unassigned, row);
      continue;
    }
    // A System or Domain the caller may not read is not named; its entities count in the
    // summary only.
    if (!isVisible(visible, ref)) continue;
    let acc = byRef.get(ref);
    if (!acc) {
      acc = accumulator(levels);
      byRef.set(ref, acc);
    }
    add(acc, row);
  }
  return {
    rows: [...byRef.entries()]
      .map(([ref, acc]) => ({ ref, title: titles.get(ref), ...finish(acc) }))
      .sort((a, b) => a.ref.localeCompare(b.ref)),
    unassigned: finish(unassigned),
  };
}

function categoryRows(rows: CheckRollupRow[]): CategoryRollupRow[] {
  const byCategory = new Map<string, Record<CheckStatus, number>>();
  for (const row of rows) {
    const c = byCategory.get(row.category) ?? emptyCounts();
    for (const status of CHECK_STATUSES) c[status] += row.counts[status];
    byCategory.set(row.category, c);
  }
  return [...byCategory.entries()]
    .map(([category, counts]) => {
      const good = counts.pass + counts.waived;
      const counted = good + counts.fail + counts.error;
      return {
        category,
        counts,
        failing: counts.fail + counts.error,
        passRate: counted ? Math.round((good / counted) * 1000) / 10 : null,
      };
    })
    .sort(
      (a, b) => b.failing - a.failing || a.category.localeCompare(b.category),
    );
}

/** A team's move before its causes are told: with the entities it counted. */
type TeamChange = Omit<TeamMover, 'causes'> & { entityRefs: string[] };

/**
 * Teams (the groups that own entities of the scope directly, and the caller may read) by the
 * change of their entities' mean score: over the entities scored at both ends of the window,
 * the change of the entities' own doing. The 10 that moved most each way.
 */
function teamMovers(options: {
  tree: OrgTree;
  rows: EntityScoreRow[];
  /** The scope's entities; absent for every entity. */
  inScope?: ReadonlySet<string>;
  visible: Visible;
  start: ReadonlyMap<string, Standing>;
  end: ReadonlyMap<string, Standing>;
  changes: ReadonlyMap<string, number>;
}): { improved: TeamChange[]; regressed: TeamChange[] } {
  const { tree, inScope, visible, start, end, changes } = options;
  const byTeam = new Map<
    string,
    { refs: string[]; from: number; to: number; change: number }
  >();
  for (const row of options.rows) {
    const team = row.ownerRef;
    if (!team || !tree.get(team) || !isVisible(visible, team)) continue;
    if (inScope && !inScope.has(row.entityRef)) continue;
    const before = start.get(row.entityRef);
    const after = end.get(row.entityRef);
    if (!before || !after) continue;
    let sums = byTeam.get(team);
    if (!sums) {
      sums = { refs: [], from: 0, to: 0, change: 0 };
      byTeam.set(team, sums);
    }
    sums.refs.push(row.entityRef);
    sums.from += before.score;
    sums.to += after.score;
    sums.change += changes.get(row.entityRef) ?? 0;
  }
  const teams: TeamChange[] = [];
  for (const [ref, sums] of byTeam) {
    const n = sums.refs.length;
    const change = round1(sums.change / n);
    if (change === 0) continue;
    teams.push({
      ref,
      title: tree.get(ref)!.title,
      entities: n,
      fromScore: round1(sums.from / n),
      toScore: round1(sums.to / n),
      change,
      entityRefs: sums.refs,
    });
  }
  const byTeamRef = (a: TeamChange, b: TeamChange) =>
    a.ref.localeCompare(b.ref);
  return {
    improved: teams
      .filter(t => t.change > 0)
      .sort((a, b) => b.change - a.change || byTeamRef(a, b))
      .slice(0, 10),
    regressed: teams
      .filter(t => t.change < 0)
      .sort((a, b) => a.change - b.change || byTeamRef(a, b))
      .slice(0, 10),
  };
}
