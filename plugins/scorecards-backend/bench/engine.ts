/*
 * Engine benchmark: evaluates 30 checks (the 14 built-ins and 16 custom checks that use every
 * operator) on 1,000, 10,000 and 50,000 generated entities with varied adoption of the
 * annotations, and prints the median time, the time per entity and the memory the results hold.
 *
 * Run from the package directory:
 *   node --require @backstage/cli/config/nodeTransform.cjs bench/engine.ts
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Entity } from '@backstage/catalog-model';
import type {
  CheckDefinition,
  Fact,
  ScorecardDefinition,
} from '@guardrails/plugin-scorecards-common';
import { BUILTIN_CHECKS, BUILTIN_SCORECARD } from '../src/definitions';
import {
  CatalogIndexEntity,
  ScorecardEngine,
  createCatalogIndex,
} from '../src/engine';
import { random } from './_random';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

const NOW = new Date('2026-11-26T12:00:00Z');
const DAY = 86_400_000;
const SIZES = [1_000, 10_000, 50_000];
const TARGET = { entities: 10_000, ms: 1000 };

const dayText = (daysAgo: number) =>
  new Date(NOW.getTime() - daysAgo * DAY).toISOString().slice(0, 10);

const GROUPS = 200;
const SYSTEMS = 150;

function catalogEntities(): CatalogIndexEntity[] {
  const entities: CatalogIndexEntity[] = [];
  for (let g = 0; g < GROUPS; g++) {
    entities.push({
      kind: 'Group',
      metadata: { name: `team-${g}`, namespace: 'default' },
      spec: { type: g < 20 ? 'department' : 'team' },
    });
  }
  for (let s = 0; s < SYSTEMS; s++) {
    entities.push({
      kind: 'System',
      metadata: { name: `system-${s}`, namespace: 'default' },
      spec: { owner: `team-${s % GROUPS}` },
    });
  }
  for (let u = 0; u < 500; u++) {
    entities.push({
      kind: 'User',
      metadata: { name: `user-${u}`, namespace: 'default' },
    });
  }
  return entities;
}

function generate(
  count: number,
  seed: number,
): { entity: Entity; facts: Fact[] }[] {
  const r = random(seed);
  const out: { entity: Entity; facts: Fact[] }[] = [];
  for (let i = 0; i < count; i++) {
    const name = `component-${i}`;
    const type = r.pick([
      'service',
      'service',
      'service',
      'website',
      'library',
    ]);
    const annotations: Record<string, string> = {
      'backstage.io/managed-by-location': `url:https://git.example.com/acme/${name}/catalog-info.yaml`,
      'backstage.io/managed-by-origin-location': `url:https://git.example.com/acme/${name}/catalog-info.yaml`,
      'backstage.io/source-location': `url:https://git.example.com/acme/${name}/`,
      'github.com/project-slug': `acme/${name}`,
    };
    const set = (key: string, p: number, value: () => string) => {
      if (r.chance(p)) {
        annotations[key] = value();
      }
    };
    set('pagerduty.com/integration-key', 0.55, () => `key${r.int(1e9)}`);
    set('opsgenie.com/team', 0.15, () => `team-${r.int(GROUPS)}`);
    set('sonarqube.org/project-key', 0.5, () => `acme_${name}`);
    set('snyk.io/org-name', 0.2, () => 'acme');
    set('guardrails.dev/slo-target', 0.45, () =>
      r.chance(0.05)
        ? 'high'
        : r.pick(['99', '99.5', '99.9', '99.95', '0', '101']),
    );
    set(
      'guardrails.dev/slo-doc',
      0.4,
      () => `https://wiki.example.com/slo/${name}`,
    );
    set('grafana/dashboard-selector', 0.35, () => `tags @> '${name}'`);
    set('backstage.io/techdocs-ref', 0.55, () => 'dir:.');
    set('guardrails.dev/security-contact', 0.4, () =>
      r.pick([`sec-${i}@acme.example`, '#sec-payments', 'bob']),
    );
    set('guardrails.dev/security-tier', 0.45, () =>
      r.pick(['1', '2', '3', '4']),
    );
    set('guardrails.dev/runbook-reviewed', 0.35, () =>
      r.chance(0.04) ? 'last spring' : dayText(r.int(400)),
    );
    set(
      'guardrails.dev/postmortems',
      0.25,
      () => `https://wiki.example.com/pm/${name}`,
    );
    set('guardrails.dev/security-reviewed', 0.4, () =>
      r.chance(0.02) ? dayText(-40) : dayText(r.int(500)),
    );
    set('guardrails.dev/rollout-strategy', 0.3, () =>
      r.pick(['canary', 'blue-green', 'progressive', 'big-bang']),
    );
    set('guardrails.dev/chaos-last-run', 0.1, () => dayText(r.int(200)));
    set('guardrails.dev/data-classification', 0.5, () =>
      r.pick(['public', 'internal', 'confidential', 'secret']),
    );
    set('guardrails.dev/error-budget-remaining', 0.3, () =>
      String(r.int(120) - 10),
    );
    set('guardrails.dev/p99-latency-ms', 0.3, () => String(r.int(2000)));
    set('guardrails.dev/min-replicas', 0.4, () => String(r.int(5)));
    set('guardrails.dev/on-call-slack', 0.3, () =>
      r.pick(['#oncall-a', 'oncall']),
    );
    set('guardrails.dev/dependencies-updated', 0.3, () => dayText(r.int(120)));
    if (r.chance(0.03)) {
      annotations['guardrails.dev/waive.chaos-practice'] =
        '2027-03-31: Batch job without user traffic';
    }
    if (r.chance(0.01)) {
      annotations['guardrails.dev/waive.runbook'] = '2026-01-31: expired';
    }
    const links: Entity['metadata']['links'] = [];
    if (r.chance(0.45)) {
      links.push({
        url: `https://wiki.example.com/runbooks/${name}`,
        title: 'Runbook',
        type: 'runbook',
      });
    }
    if (r.chance(0.2)) {
      links.push({
        url: `https://grafana.example.com/d/${i}`,
        title: 'Dashboard',
        type: 'dashboard',
      });
    }
    if (r.chance(0.3)) {
      links.push({
        url: `https://git.example.com/acme/${name}`,
        title: 'Repository',
        type: 'source',
      });
    }
    // Most owners are teams; some are people, and a few teams no longer exist.
    const ownerRoll = r.int(100);
    let owner = `group:default/team-${r.int(GROUPS)}`;
    if (ownerRoll >= 97) {
      owner = `group:default/ghost-${r.int(10)}`;
    } else if (ownerRoll >= 92) {
      owner = `user:default/user-${r.int(500)}`;
    }
    const system = `system:default/system-${r.int(SYSTEMS)}`;
    const relations: Entity['relations'] = [
      { type: 'ownedBy', targetRef: owner },
      { type: 'partOf', targetRef: system },
    ];
    for (let d = r.int(4); d > 0; d--) {
      relations.push({
        type: 'dependsOn',
        targetRef: `component:default/component-${r.int(count)}`,
      });
    }
    if (r.chance(0.4)) {
      relations.push({
        type: 'providesApi',
        targetRef: `api:default/${name}-api`,
      });
    }
    const entity: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name,
        namespace: 'default',
        title: `Component ${i}`,
        annotations,
        labels: r.chance(0.6)
          ? { tier: r.pick(['frontend', 'backend', 'data']) }
          : {},
        tags: r.chance(0.7) ? [r.pick(['java', 'go', 'node', 'python'])] : [],
        links,
      },
      spec: {
        type,
        lifecycle: r.pick([
          'production',
          'production',
          'experimental',
          'deprecated',
        ]),
        owner,
        system,
      },
      relations,
    };
    const facts: Fact[] = [];
    if (r.chance(0.3)) {
      const observed = NOW.getTime() - r.int(120) * DAY;
      facts.push({
        entityRef: `component:default/${name}`,
        name: 'chaos',
        value: { lastExperimentAt: new Date(observed).toISOString() },
        observedAt: new Date(observed).toISOString(),
        freshFor: 'P60D',
      });
    }
    if (r.chance(0.3)) {
      facts.push({
        entityRef: `component:default/${name}`,
        name: 'incidents',
        value: { mttrMinutes: r.int(600), last30Days: r.int(8) },
        observedAt: new Date(NOW.getTime() - r.int(3) * DAY).toISOString(),
        freshFor: 'P7D',
      });
    }
    out.push({ entity, facts });
  }
  // Entities reach the engine parsed from the catalog's JSON responses; parsing gives them the
  // same string and object representations here.
  return JSON.parse(JSON.stringify(out));
}

const ann = (key: string) => `metadata.annotations.${key}`;

/** Sixteen custom checks that, together, use every operator of the rule language. */
const CUSTOM_CHECKS: CheckDefinition[] = [
  { rule: { [ann('guardrails.dev/data-classification')]: { $exists: true } } },
  {
    rule: {
      [ann('guardrails.dev/data-classification')]: {
        $in: ['public', 'internal', 'confidential'],
      },
    },
  },
  {
    rule: { 'metadata.tags': { $contains: { $any: ['java', 'go', 'node'] } } },
  },
  {
    rule: {
      [ann('backstage.io/source-location')]: {
        $hasPrefix: 'url:https://git.example.com/',
      },
    },
  },
  { rule: { 'spec.lifecycle': 'production' } },
  {
    rule: {
      [ann('guardrails.dev/on-call-slack')]: { $matches: '^#[a-z0-9-]+$' },
    },
  },
  { rule: { [ann('guardrails.dev/error-budget-remaining')]: { $gt: 0 } } },
  { rule: { [ann('guardrails.dev/min-replicas')]: { $gte: 2 } } },
  { rule: { [ann('guardrails.dev/p99-latency-ms')]: { $lt: 500 } } },
  { rule: { 'facts.incidents.mttrMinutes': { $lte: 240 } } },
  {
    rule: { [ann('guardrails.dev/dependencies-updated')]: { $within: 'P30D' } },
  },
  { rule: { 'spec.system': { $entity: { kind: 'System' } } } },
  {
    rule: {
      $all: [
        { 'metadata.labels.tier': { $exists: true } },
        {
          'metadata.links': {
            $contains: { type: 'source', url: { $hasPrefix: 'https://' } },
          },
        },
      ],
    },
  },
  {
    rule: {
      $any: [
        { 'facts.incidents.last30Days': { $lte: 2 } },
        { [ann('guardrails.dev/error-budget-remaining')]: { $gte: 50 } },
      ],
    },
  },
  { rule: { $not: { 'spec.lifecycle': 'deprecated' } } },
  {
    rule: {
      relations: {
        $contains: {
          type: 'ownedBy',
          targetRef: { $entity: { kind: 'Group', 'spec.type': 'team' } },
        },
      },
    },
  },
].map(
  (partial, i): CheckDefinition => ({
    id: `custom-${i + 1}`,
    title: `Custom check ${i + 1}`,
    description: 'A generated check for the benchmark.',
    category: 'custom',
    severity: (['critical', 'high', 'medium', 'low'] as const)[i % 4],
    ...(i % 3 === 0
      ? { appliesTo: { 'spec.type': { $in: ['service', 'website'] } } }
      : {}),
    ...(i === 5 ? { enforcedFrom: '2027-01-15' } : {}),
    rule: partial.rule,
  }),
);

const CUSTOM_SCORECARD: ScorecardDefinition = {
  id: 'engineering-standards',
  title: 'Engineering standards',
  description: 'Generated for the benchmark.',
  appliesTo: { kind: 'Component' },
  checks: CUSTOM_CHECKS.map(c => c.id),
  levels: [
    { name: 'Basic', checks: CUSTOM_CHECKS.slice(0, 8).map(c => c.id) },
    { name: 'Advanced', checks: CUSTOM_CHECKS.slice(8).map(c => c.id) },
  ],
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The evaluation run writes a page of this many entities at a time; results live that long. */
const PAGE = 500;

function main() {
  const engine = new ScorecardEngine({
    checks: [...BUILTIN_CHECKS, ...CUSTOM_CHECKS],
    scorecards: [BUILTIN_SCORECARD, CUSTOM_SCORECARD],
  });
  const catalog = createCatalogIndex(catalogEntities());
  const checksPerEntity = BUILTIN_CHECKS.length + CUSTOM_CHECKS.length;

  const rows: string[][] = [];
  let target: { ms: number; met: boolean } | undefined;
  for (const size of SIZES) {
    const inputs = generate(size, 42);
    const page: unknown[] = new Array(PAGE);
    const evaluateAll = (keep?: unknown[]) => {
      for (let i = 0; i < inputs.length; i++) {
        const { entity, facts } = inputs[i];
        const evaluation = engine.evaluate({
          entity,
          facts,
          catalog,
          now: NOW,
        });
        if (keep) {
          keep[i] = evaluation;
        } else {
          page[i % PAGE] = evaluation;
        }
      }
    };
    // Warm up so that the optimising compiler has seen every rule.
    for (let i = 0; i < (size <= 10_000 ? 3 : 1); i++) {
      evaluateAll();
    }
    const runs = size <= 10_000 ? 9 : 5;
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      gc();
      const start = process.hrtime.bigint();
      evaluateAll();
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    // The memory that every result of the catalog takes when a caller keeps them all.
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const all: unknown[] = new Array(size);
    evaluateAll(all);
    gc();
    const heapDelta =
      (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    if (all.length !== size) {
      throw new Error('lost results');
    }

    const ms = median(times);
    if (size === TARGET.entities) {
      target = { ms, met: ms < TARGET.ms };
    }
    rows.push([
      size.toLocaleString('en-US'),
      String(checksPerEntity),
      ms.toFixed(1),
      Math.min(...times).toFixed(1),
      ((ms * 1000) / size).toFixed(2),
      ((ms * 1e6) / (size * checksPerEntity)).toFixed(0),
      heapDelta.toFixed(1),
    ]);
  }

  const header = [
    'entities',
    'checks',
    'total ms (median)',
    'fastest ms',
    'µs/entity',
    'ns/check',
    'heap Δ MB (all results kept)',
  ];
  const widths = header.map((h, c) =>
    Math.max(h.length, ...rows.map(r => r[c].length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, c) => cell.padStart(widths[c])).join(' | ')} |`;
  console.log(
    `Scorecard engine, ${process.version}, one core; results kept a page of ${PAGE} entities at a time, as the evaluation run does`,
  );
  console.log(line(header));
  console.log(`|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`);
  rows.forEach(row => console.log(line(row)));
  if (target) {
    console.log(
      `10,000 entities x ${checksPerEntity} checks: ${target.ms.toFixed(
        1,
      )} ms, ${target.met ? 'under' : 'NOT under'} the ${TARGET.ms} ms target`,
    );
  }
}

main();
