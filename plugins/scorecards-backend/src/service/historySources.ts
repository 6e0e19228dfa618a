import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Fact } from '@guardrails/plugin-scorecards-common';
import type { ScorecardsHistorySource } from '@guardrails/plugin-scorecards-node';
import type { ScorecardsStore } from '../database';

/**
 * Imports the history sources that backend modules added, one after another: each source's
 * events replace what it imported before, and its current facts are stored unless the store
 * holds a later observation. A source that fails is logged and left out; the others still count.
 */
export async function importHistorySources(options: {
  sources: ScorecardsHistorySource[];
  store: ScorecardsStore;
  logger: LoggerService;
  now?: Date;
}): Promise<void> {
  const { sources, store, logger } = options;
  for (const source of sources) {
    try {
      const batch = await source.read();
      const summary = await store.importHistory(
        { source: source.id, events: batch.events ?? [] },
        options.now,
      );
      const facts = await newerFacts(store, source.id, batch.facts ?? []);
      if (facts.length > 0) {
        await store.upsertFacts(facts);
      }
      const observations = batch.factObservations ?? [];
      checkFacts(observations, 'Fact observation');
      await store.appendFactObservations(
        observations.map(({ entityRef, name, value, observedAt }) => ({
          entityRef,
          name,
          value,
          observedAt,
        })),
      );
      logger.info(
        `Imported history source '${source.id}': ${summary.imported} events, ${summary.skipped} left out (future, or after the plugin's own history began), ${summary.replaced} of its earlier import replaced, ${facts.length} current facts, ${observations.length} past fact observations`,
      );
    } catch (error) {
      logger.error(`Could not import history source '${source.id}': ${error}`);
    }
  }
}

/** Fails on the first fact without an entity ref, a name or an ISO `observedAt`. */
function checkFacts(facts: Fact[], what: string) {
  for (const [index, fact] of facts.entries()) {
    if (
      !fact ||
      typeof fact.entityRef !== 'string' ||
      typeof fact.name !== 'string' ||
      Number.isNaN(Date.parse(fact.observedAt))
    ) {
      throw new Error(
        `${what} ${index} needs an entityRef, a name and an ISO timestamp observedAt`,
      );
    }
  }
}

/** The facts that are newer than the stored ones of the same entity and name. */
async function newerFacts(
  store: ScorecardsStore,
  sourceId: string,
  facts: Fact[],
): Promise<Fact[]> {
  checkFacts(facts, 'Fact');
  const stored = await store.getFacts([
    ...new Set(facts.map(f => f.entityRef)),
  ]);
  return facts
    .filter(fact => {
      const current = stored
        .get(fact.entityRef)
        ?.find(f => f.name === fact.name);
      return (
        !current || Date.parse(current.observedAt) < Date.parse(fact.observedAt)
      );
    })
    .map(fact => ({ ...fact, source: fact.source ?? sourceId }));
}
