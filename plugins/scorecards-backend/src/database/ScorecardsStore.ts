import type {
  CheckResult,
  CheckStatus,
  EntityEvaluation,
  EntityInfo,
  EntityScoreRow,
  Fact,
  HistoryEvent,
  JsonValue,
  RunRecord,
  ScorecardResult,
  StoredWaiver,
  Waiver,
  WaiverOutcome,
  WaiverProblem,
} from '@guardrails/plugin-scorecards-common';

export type {
  EntityInfo,
  EntityScoreRow,
  HistoryEvent,
  RunRecord,
  StoredWaiver,
} from '@guardrails/plugin-scorecards-common';

/** One entity's evaluation as a run hands it to the store. */
export interface EntityEvaluationRecord {
  info: EntityInfo;
  evaluation: EntityEvaluation;
  /**
   * Ids of the checks each scorecard contains, by scorecard id (from the definitions), so the
   * store can tell which failing checks belong to which scorecard (`EntityScoreRow.failing`).
   * Without it, every failing check of the entity is listed under each of its scorecards.
   */
  scorecardChecks?: Record<string, string[]>;
  /**
   * Fingerprints of each scorecard's definitions, by scorecard id (from the engine), so that the
   * history can tell a change the definitions made from one the entity made.
   */
  scorecardFingerprints?: Readonly<Record<string, string>>;
}

/** A check result as stored: with the time its current status began. */
export interface StoredCheckResult extends CheckResult {
  /** ISO timestamp since which the check has had this status. */
  since: string;
}

/** A scorecard result as stored: with the time its current level began. */
export interface StoredScorecardResult extends ScorecardResult {
  /** ISO timestamp since which the entity has had this level. */
  since: string;
}

/** The latest results of one entity. */
export interface StoredEntityResults {
  info: EntityInfo;
  /** ISO timestamp of the last time these results changed. */
  updatedAt: string;
  /**
   * ISO timestamp of the last evaluation of the entity, changed or not: the start of the last
   * successful run, or the last on-demand evaluation, whichever is later.
   */
  evaluatedAt: string;
  checks: StoredCheckResult[];
  scorecards: StoredScorecardResult[];
  /** Waivers that excuse nothing, as the last evaluation found them; absent when none. */
  waiverProblems?: WaiverProblem[];
}

/** Filters for {@link ScorecardsStore.listScores}; every given filter must hold. */
export interface ScoreFilter {
  scorecardId?: string;
  /** Only these entities (e.g. the entities owned by a group subtree). */
  entityRefs?: string[];
  ownerRefs?: string[];
  systemRef?: string;
  domainRef?: string;
  kind?: string;
  type?: string;
  lifecycle?: string;
  /** Level name; `null` means "no level reached". */
  level?: string | null;
  /** Only entities where this check of the row's scorecard is failing (`fail` or `error`). */
  failingCheck?: string;
  minScore?: number;
  maxScore?: number;
  /** Case-insensitive substring of the entity ref or title. */
  search?: string;
}

/** Sort keys for {@link ScorecardsStore.listScores}. */
export type ScoreSortField = 'score' | 'level' | 'name' | 'failing' | 'since';

/** A sort order of {@link ScorecardsStore.listScores}. */
export interface ScoreSort {
  field: ScoreSortField;
  order: 'asc' | 'desc';
}

/**
 * Where a row stands in a sort order (its sort values, then its entity ref and scorecard id),
 * as `scoreKey` computes it: what keyset pages continue after or before.
 */
export type ScoreKey = Array<string | number>;

/** A page request for {@link ScorecardsStore.listScores}. */
export interface ScorePageRequest {
  sort?: ScoreSort;
  /** Only rows after this key in the sort order; an empty key is the start. */
  after?: ScoreKey;
  /**
   * Only rows before this key in the sort order: the `limit` rows just before it, still
   * returned in the sort order. An empty key is the end: the last rows.
   */
  before?: ScoreKey;
  /** Page size; absent means every row. */
  limit?: number;
  /** Whether to count every matching row as `total`; true unless false. */
  count?: boolean;
}

/** What {@link ScorecardsStore.listScores} answers. */
export interface ScorePage {
  rows: EntityScoreRow[];
  /** How many rows match the filter, over every page; absent when not asked for. */
  total?: number;
  /** Whether rows past the page exist, in the direction it was read. */
  more: boolean;
}

/** A group of the organisation, as rollups walk it. */
export interface OrgGroup {
  ref: string;
  title: string;
  type?: string;
  parentRef?: string;
}

/** A System or Domain of the catalog, as rollups name it. */
export interface OrgEntity {
  ref: string;
  title: string;
}

/** The structure of the organisation that rollups follow, as a run read it from the catalog. */
export interface OrgSnapshot {
  groups: OrgGroup[];
  systems: OrgEntity[];
  domains: OrgEntity[];
}

/** Past results of another tool, for {@link ScorecardsStore.importHistory}. */
export interface HistoryImport {
  /**
   * Id of where the events come from, e.g. `example-history`: importing the same source again
   * replaces what it imported before.
   */
  source: string;
  /**
   * Check and scorecard events (and `removed` events), with their times, in any order. A
   * `previousStatus` or `previousScore` left out is taken from the source's event before it.
   */
  events: HistoryEvent[];
}

/** What an import of history did. */
export interface HistoryImportSummary {
  /** Events stored. */
  imported: number;
  /**
   * Events left out: those dated in the future, or at or after the first event the plugin
   * recorded itself for the entity (its own history takes over from there).
   */
  skipped: number;
  /** Events of the source's earlier import that this one replaced. */
  replaced: number;
}

/** One observation of a fact: its value as observed at a time. */
export interface FactObservation {
  entityRef: string;
  name: string;
  value: JsonValue;
  /** ISO timestamp of when the value was observed. */
  observedAt: string;
}

/** What a write of evaluations did. */
export interface WriteSummary {
  /** Entities whose results changed. */
  changed: number;
  /** Result, score and history rows written (inserted, updated or deleted). */
  rowsWritten: number;
}

/**
 * Persistence of everything the scorecards plugin keeps: latest results, their history,
 * facts, waivers and runs.
 */
export interface ScorecardsStore {
  /**
   * Stores evaluations, writing only what changed since the stored ones: an entity whose
   * evaluation and info are unchanged costs no write. Changes of a check's status or of a
   * scorecard's level or score are appended to the history.
   */
  writeEvaluations(
    records: EntityEvaluationRecord[],
    now: Date,
  ): Promise<WriteSummary>;

  /** Records that an entity was just evaluated on demand, whether or not its results changed. */
  markEvaluated(entityRef: string, now: Date): Promise<void>;

  /** Latest results of one entity, or undefined if it was never evaluated. */
  getEntityResults(entityRef: string): Promise<StoredEntityResults | undefined>;

  /** Every stored entity ref. */
  listEntityRefs(): Promise<string[]>;

  /**
   * Removes the latest results of entities that left the catalog, recording a `removed` event
   * in their history. Returns how many were removed.
   */
  removeEntities(entityRefs: string[], now: Date): Promise<number>;

  /**
   * The latest per-scorecard standings matching a filter, one keyset page of them, and the
   * total. A page continues from a key, not an offset: it costs the same wherever it is, and
   * rows written or removed meanwhile neither repeat nor skip the others.
   */
  listScores(filter: ScoreFilter, page?: ScorePageRequest): Promise<ScorePage>;

  /**
   * How many entities have each status on each of the given checks, counting only entities the
   * scorecard applies to (and, when given, only these entities).
   */
  countCheckStatuses(options: {
    scorecardId: string;
    checkIds: string[];
    entityRefs?: string[];
  }): Promise<Array<{ checkId: string; status: CheckStatus; count: number }>>;

  /**
   * {@link ScorecardsStore.countCheckStatuses}, counted apart for each owner or each System
   * (`key`; null for entities without one), for heatmaps.
   */
  countCheckStatusesBy(options: {
    by: 'owner' | 'system';
    scorecardId: string;
    checkIds: string[];
    entityRefs?: string[];
  }): Promise<
    Array<{
      key: string | null;
      checkId: string;
      status: CheckStatus;
      count: number;
    }>
  >;

  /** History of one entity, newest first, within a time window. */
  getHistory(
    entityRef: string,
    window: { from: Date; to: Date },
  ): Promise<HistoryEvent[]>;

  /**
   * Scorecard history of many entities for trends: for each entity, its standing at `from`
   * (the last scorecard event at or before it) followed by every scorecard event in the window,
   * oldest first.
   */
  getScoreHistory(options: {
    scorecardId: string;
    entityRefs?: string[];
    from: Date;
    to: Date;
  }): Promise<Extract<HistoryEvent, { type: 'scorecard' | 'removed' }>[]>;

  /**
   * Check history of many entities, as {@link ScorecardsStore.getScoreHistory} gives scorecard
   * history: for each (entity, check), its status at `from` (the last check event at or before
   * it) followed by every check event in the window, and the `removed` events of those entities,
   * oldest first.
   */
  getCheckHistory(options: {
    /** Only these checks; absent means every check. */
    checkIds?: string[];
    entityRefs?: string[];
    from: Date;
    to: Date;
  }): Promise<Extract<HistoryEvent, { type: 'check' | 'removed' }>[]>;

  /**
   * Imports past results (from another tool, say) into the history only: the latest results,
   * and what the next run finds changed, stay as they are; trends read the events like any
   * history. Importing a source again replaces its earlier import. Throws an `InputError`
   * naming the first event that is not a valid history event.
   */
  importHistory(
    history: HistoryImport,
    now?: Date,
  ): Promise<HistoryImportSummary>;

  /**
   * Deletes history older than a cutoff, except the newest event before the cutoff of each
   * (entity, check or scorecard), so the standing at any time since the cutoff can still be
   * told; fact observations likewise, keeping the newest before the cutoff of each (entity,
   * fact). Returns how many events and observations were deleted.
   */
  pruneHistory(olderThan: Date): Promise<number>;

  /**
   * Inserts or replaces facts, keyed by (entity, name), and appends each to the history of
   * facts ({@link ScorecardsStore.appendFactObservations}).
   */
  upsertFacts(facts: Fact[]): Promise<void>;

  /**
   * Appends observations to the history of facts, in any order: what
   * {@link ScorecardsStore.upsertFacts} does with every fact it stores, so that values at past
   * times can be told. The facts themselves are left as they are.
   */
  appendFactObservations(observations: FactObservation[]): Promise<void>;

  /**
   * Each entity's latest observation of one fact at or before a time, of the given entities
   * (every entity when absent), ordered by entity ref.
   */
  getFactObservationsAt(options: {
    name: string;
    entityRefs?: string[];
    at: Date;
  }): Promise<FactObservation[]>;

  /** Facts of the given entities, by entity ref. */
  getFacts(entityRefs: string[]): Promise<Map<string, Fact[]>>;

  /** One page of one entity's facts, by name, and how many it has. */
  listFacts(
    entityRef: string,
    page: { offset: number; limit: number },
  ): Promise<{ facts: Fact[]; total: number }>;

  /** The names of the facts of the given entities, by entity ref. */
  getFactNames(entityRefs: string[]): Promise<Map<string, string[]>>;

  /** Every entity ref that has facts. */
  listFactEntityRefs(): Promise<string[]>;

  /** Deletes facts by entity and name. Returns how many were deleted. */
  deleteFacts(
    keys: Array<{ entityRef: string; name: string }>,
  ): Promise<number>;

  /** Stores a waiver made through the API. */
  createWaiver(
    waiver: Omit<Waiver, 'id' | 'createdAt' | 'source'>,
    now: Date,
  ): Promise<StoredWaiver>;

  /**
   * The waiver outcomes the latest results hold, by entity and check (ordered so): every
   * declared waiver of an evaluated check, from an annotation or the API, applied or not.
   */
  listResultWaivers(options: {
    entityRef?: string;
  }): Promise<
    Array<{ entityRef: string; checkId: string; outcome: WaiverOutcome }>
  >;

  /** Waivers made through the API, newest first. */
  listWaivers(options: {
    entityRef?: string;
    /** Only waivers neither revoked nor expired at this time. */
    activeAt?: Date;
  }): Promise<StoredWaiver[]>;

  /** One waiver by id. */
  getWaiver(id: string): Promise<StoredWaiver | undefined>;

  /** Marks a waiver revoked. Returns false if there was no such active waiver. */
  revokeWaiver(id: string, revokedBy: string, now: Date): Promise<boolean>;

  /** Waivers active at `now` for the given entities, by entity ref. */
  getActiveWaivers(
    entityRefs: string[],
    now: Date,
  ): Promise<Map<string, StoredWaiver[]>>;

  /** Records the start of a run. */
  startRun(options: {
    trigger: RunRecord['trigger'];
    definitionsFingerprint: string;
    now: Date;
  }): Promise<RunRecord>;

  /** Records the end of a run. */
  finishRun(
    id: string,
    outcome: Pick<RunRecord, 'status' | 'entities' | 'changed' | 'removed'> & {
      error?: string;
      now: Date;
    },
  ): Promise<RunRecord>;

  /** The most recent runs, newest first. */
  listRuns(limit: number): Promise<RunRecord[]>;

  /**
   * Keeps the organisation as a run read it, for rollups; writes only when it changed, so an
   * idle re-run writes nothing. A change moves the version ({@link ScorecardsStore.getVersion}).
   */
  saveOrgSnapshot(org: OrgSnapshot): Promise<void>;

  /** The organisation as the last run read it, or undefined before the first run. */
  getOrgSnapshot(): Promise<OrgSnapshot | undefined>;

  /**
   * Keeps the fingerprint of the definitions a successful run evaluated; writes only when it
   * changed.
   */
  saveDefinitionsFingerprint(fingerprint: string): Promise<void>;

  /** The fingerprint of the definitions the last successful run evaluated, if any. */
  getDefinitionsFingerprint(): Promise<string | undefined>;

  /**
   * A number that changes whenever the latest results or the organisation change, so read
   * models built from them can be cached until it moves.
   */
  getVersion(): Promise<number>;
}
