import { ConfigReader } from '@backstage/config';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { CheckStatus } from '@guardrails/plugin-scorecards-common';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { createCatalogIndex, ScorecardEngine } from '../engine';
import { readScorecardDefinitions } from './readScorecardDefinitions';

const NOW = new Date('2026-11-26T12:00:00Z');
const root = resolve(__dirname, '../../../..');

/** The example catalog, with the relations the catalog would compute for owners and systems. */
function loadExamples(): Entity[] {
  const files = [
    'examples/org.yaml',
    'examples/entities.yaml',
    'catalog-info.yaml',
  ];
  return files.flatMap(file =>
    parseAllDocuments(readFileSync(resolve(root, file), 'utf8')).map(doc => {
      const entity = doc.toJS() as Entity;
      const spec = (entity.spec ?? {}) as { owner?: string; system?: string };
      const namespace = entity.metadata.namespace ?? 'default';
      entity.relations = [
        ...(spec.owner
          ? [
              {
                type: 'ownedBy',
                targetRef: stringifyEntityRef(
                  parseEntityRef(spec.owner, {
                    defaultKind: 'group',
                    defaultNamespace: namespace,
                  }),
                ),
              },
            ]
          : []),
        ...(spec.system
          ? [
              {
                type: 'partOf',
                targetRef: stringifyEntityRef(
                  parseEntityRef(spec.system, {
                    defaultKind: 'system',
                    defaultNamespace: namespace,
                  }),
                ),
              },
            ]
          : []),
      ];
      return entity;
    }),
  );
}

describe('the example catalog scored by the built-in scorecard', () => {
  const entities = loadExamples();
  const engine = new ScorecardEngine(
    readScorecardDefinitions(new ConfigReader({})),
  );
  const catalog = createCatalogIndex(entities);
  const results = new Map(
    entities
      .map(entity => engine.evaluate({ entity, catalog, now: NOW }))
      .filter(e => e.scorecards.length > 0)
      .map(e => [e.entityRef, e]),
  );
  const check = (name: string, checkId: string) =>
    results
      .get(`component:default/${name}`)
      ?.checks.find(c => c.checkId === checkId);
  const level = (name: string) =>
    results.get(`component:default/${name}`)?.scorecards[0].level;

  it('scores every component and nothing else', () => {
    const components = entities.filter(e => e.kind === 'Component');
    expect(results.size).toBe(components.length);
  });

  it('gives every status and every level at least once', () => {
    const statuses = new Set<CheckStatus>();
    const levels = new Map<string, number>();
    for (const evaluation of results.values()) {
      evaluation.checks.forEach(c => statuses.add(c.status));
      const reached = evaluation.scorecards[0].level ?? 'none';
      levels.set(reached, (levels.get(reached) ?? 0) + 1);
    }
    expect([...statuses].sort()).toEqual(
      ['error', 'fail', 'not-applicable', 'pass', 'waived', 'warn'].sort(),
    );
    expect(Object.fromEntries(levels)).toEqual({
      Gold: 5,
      Silver: 9,
      Bronze: 14,
      none: 14,
    });
  });

  it('marks malformed values as errors that say what was found', () => {
    expect(check('cart-service', 'runbook-reviewed')).toMatchObject({
      status: 'error',
      observed: 'last spring',
    });
    expect(check('account-portal', 'slo-defined')).toMatchObject({
      status: 'error',
      observed: 'high',
    });
    expect(check('ledger-service', 'security-review')?.status).toBe('error');
    expect(check('cart-service', 'runbook-reviewed')?.explanation).toMatch(
      /last spring/,
    );
  });

  it('honours current waivers and explains the ones that do not count', () => {
    expect(check('payouts-service', 'progressive-delivery')?.status).toBe(
      'waived',
    );
    expect(check('warehouse-admin', 'on-call')?.status).toBe('waived');

    const expired = check('promotions-service', 'runbook');
    expect(expired?.status).toBe('fail');
    expect(expired?.waiver).toMatchObject({ applied: false });
    expect(expired?.waiver?.problem).toMatch(/expired/i);

    const malformed = check('refunds-service', 'security-review');
    expect(malformed?.status).toBe('fail');
    expect(malformed?.waiver).toMatchObject({ applied: false });
  });

  it('tells exemplary, bare and orphaned services apart', () => {
    expect(level('checkout-api')).toBe('Gold');
    expect(
      results.get('component:default/checkout-api')?.scorecards[0].score,
    ).toBe(100);
    expect(level('content-service')).toBeNull();
    expect(check('invoice-legacy', 'owner-exists')).toMatchObject({
      status: 'fail',
      explanation: expect.stringMatching(/not in the catalog/),
    });
    expect(check('payments-sdk', 'on-call')?.status).toBe('not-applicable');
  });
});
