/*
 * The generated catalog the backend benchmarks load: a 5-level organisation of groups, its
 * users, domains, systems and components whose adoption of the checked annotations varies by
 * department. Shared by bench/backend.ts and bench/load.ts.
 */
import { Entity } from '@backstage/catalog-model';
import { random } from './_random';

const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------
// The generated catalog
// ---------------------------------------------------------------------------------------------

interface GeneratedGroup {
  name: string;
  type: 'organization' | 'department' | 'area' | 'sub-area' | 'team';
  title: string;
  parent?: string;
  children: string[];
  department: number;
}

/** A generated catalog and what the benchmarks look it up by. */
export interface GeneratedCatalog {
  entities: Entity[];
  componentRefs: string[];
  departmentRefs: string[];
  counts: Record<string, number>;
}

/** How many groups each level of the organisation has below each group of the level above. */
export const ORG_SHAPE = { departments: 6, areas: 4, subAreas: 4, teams: 4 };
const USERS_PER_TEAM = 4;
const SYSTEMS_PER_SUB_AREA = 3;
/** How readily each department adopts the guardrails: the rollup should show differences. */
const MATURITY = [0.55, 0.7, 0.85, 1, 1.1, 1.25];

const NAME_PREFIX = { service: 'svc', website: 'web', library: 'lib' } as const;

/** Generates an organisation with this many components, dated relative to `now`. */
export function generateCatalog(
  components: number,
  now: number,
): GeneratedCatalog {
  const r = random(20261126);
  const dayText = (daysAgo: number) =>
    new Date(now - daysAgo * DAY).toISOString().slice(0, 10);
  const location = (name: string) => {
    const target = `url:https://git.example.com/acme/${name}/blob/main/catalog-info.yaml`;
    return {
      'backstage.io/managed-by-location': target,
      'backstage.io/managed-by-origin-location': target,
    };
  };

  // The organisation: root → departments → areas → sub-areas → teams.
  const groups: GeneratedGroup[] = [
    {
      name: 'acme',
      type: 'organization',
      title: 'ACME',
      children: [],
      department: -1,
    },
  ];
  const add = (group: GeneratedGroup) => {
    groups.push(group);
    groups.find(g => g.name === group.parent)!.children.push(group.name);
    return group;
  };
  const teams: GeneratedGroup[] = [];
  const subAreas: GeneratedGroup[] = [];
  const areas: GeneratedGroup[] = [];
  const departments: GeneratedGroup[] = [];
  for (let d = 0; d < ORG_SHAPE.departments; d++) {
    const dept = add({
      name: `dept-${d}`,
      type: 'department',
      title: `Department ${d}`,
      parent: 'acme',
      children: [],
      department: d,
    });
    departments.push(dept);
    for (let a = 0; a < ORG_SHAPE.areas; a++) {
      const area = add({
        name: `area-${d}-${a}`,
        type: 'area',
        title: `Area ${d}.${a}`,
        parent: dept.name,
        children: [],
        department: d,
      });
      areas.push(area);
      for (let s = 0; s < ORG_SHAPE.subAreas; s++) {
        const sub = add({
          name: `subarea-${d}-${a}-${s}`,
          type: 'sub-area',
          title: `Sub-area ${d}.${a}.${s}`,
          parent: area.name,
          children: [],
          department: d,
        });
        subAreas.push(sub);
        for (let t = 0; t < ORG_SHAPE.teams; t++) {
          teams.push(
            add({
              name: `team-${d}-${a}-${s}-${t}`,
              type: 'team',
              title: `Team ${d}.${a}.${s}.${t}`,
              parent: sub.name,
              children: [],
              department: d,
            }),
          );
        }
      }
    }
  }

  const entities: Entity[] = [];
  for (const group of groups) {
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: {
        name: group.name,
        namespace: 'default',
        annotations: location(`org/${group.name}`),
      },
      spec: {
        type: group.type,
        profile: { displayName: group.title },
        ...(group.parent && { parent: group.parent }),
        children: group.children,
      },
    });
  }

  const users: string[] = [];
  for (const team of teams) {
    for (let u = 0; u < USERS_PER_TEAM; u++) {
      const name = `user-${users.length}`;
      users.push(name);
      entities.push({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: {
          name,
          namespace: 'default',
          annotations: location(`org/${name}`),
        },
        spec: {
          profile: {
            displayName: `User ${users.length}`,
            email: `${name}@acme.example`,
          },
          memberOf: [team.name],
        },
      });
    }
  }

  // One domain per area, systems owned by sub-areas.
  const systems: {
    name: string;
    department: number;
    subArea: GeneratedGroup;
  }[] = [];
  for (const area of areas) {
    const domain = `domain-${area.name.slice('area-'.length)}`;
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Domain',
      metadata: {
        name: domain,
        namespace: 'default',
        annotations: location(domain),
      },
      spec: { owner: `group:default/${area.name}` },
    });
    for (const sub of subAreas.filter(s => s.parent === area.name)) {
      for (let i = 0; i < SYSTEMS_PER_SUB_AREA; i++) {
        const name = `system-${sub.name.slice('subarea-'.length)}-${i}`;
        systems.push({ name, department: sub.department, subArea: sub });
        entities.push({
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'System',
          metadata: { name, namespace: 'default', annotations: location(name) },
          spec: { owner: `group:default/${sub.name}`, domain },
        });
      }
    }
  }

  const componentRefs: string[] = [];
  for (let i = 0; i < components; i++) {
    const type = r.pick([
      'service',
      'service',
      'service',
      'website',
      'library',
    ] as const);
    const name = `${NAME_PREFIX[type]}-${String(i).padStart(5, '0')}`;
    const system = r.pick(systems);
    const teamsOfSubArea = teams.filter(t => t.parent === system.subArea.name);
    const maturity = MATURITY[system.department] * (0.85 + r.next() * 0.3);
    const p = (base: number) => Math.min(0.97, base * maturity);

    const annotations: Record<string, string> = {
      ...location(name),
      'backstage.io/source-location': `url:https://git.example.com/acme/${name}/`,
      'github.com/project-slug': `acme/${name}`,
    };
    const set = (key: string, probability: number, value: () => string) => {
      if (r.chance(probability)) annotations[key] = value();
    };
    if (r.chance(p(0.6))) {
      set('pagerduty.com/integration-key', 0.8, () => `pd${r.int(1e9)}`);
      if (!annotations['pagerduty.com/integration-key']) {
        annotations['pagerduty.com/service-id'] = `P${r.int(1e6)}`;
      }
    } else {
      set('opsgenie.com/team', p(0.25), () => `ops-${r.int(100)}`);
    }
    set('sonarqube.org/project-key', p(0.5), () => `acme_${name}`);
    set('snyk.io/org-name', p(0.25), () => 'acme');
    set('guardrails.dev/slo-target', p(0.5), () =>
      r.chance(0.04)
        ? 'high'
        : r.pick(['99', '99.5', '99.9', '99.95', '0', '101']),
    );
    set(
      'guardrails.dev/slo-doc',
      p(0.45),
      () => `https://wiki.example.com/slo/${name}`,
    );
    set('grafana/dashboard-selector', p(0.35), () => `tags @> '${name}'`);
    set(
      'grafana/overview-dashboard',
      p(0.1),
      () => `https://grafana.example.com/d/${i}`,
    );
    set('backstage.io/techdocs-ref', p(0.55), () => 'dir:.');
    set('guardrails.dev/security-contact', p(0.45), () =>
      r.pick([`sec-${i}@acme.example`, '#sec-payments', 'bob']),
    );
    set('guardrails.dev/security-tier', p(0.5), () =>
      r.pick(['1', '2', '3', '4']),
    );
    set('guardrails.dev/runbook-reviewed', p(0.4), () =>
      r.chance(0.04) ? 'last spring' : dayText(r.int(400)),
    );
    set(
      'guardrails.dev/postmortems',
      p(0.25),
      () => `https://wiki.example.com/pm/${name}`,
    );
    set('guardrails.dev/security-reviewed', p(0.45), () =>
      r.chance(0.02) ? dayText(-40) : dayText(r.int(500)),
    );
    set('guardrails.dev/rollout-strategy', p(0.35), () =>
      r.pick(['canary', 'blue-green', 'progressive', 'big-bang']),
    );
    set('guardrails.dev/chaos-last-run', p(0.12), () => dayText(r.int(200)));
    if (r.chance(0.03)) {
      annotations['guardrails.dev/waive.chaos-practice'] = `${dayText(
        -120,
      )}: Batch job without user traffic`;
    }
    if (r.chance(0.01)) {
      annotations['guardrails.dev/waive.runbook'] = `${dayText(30)}: expired`;
    }

    const links: NonNullable<Entity['metadata']['links']> = [];
    if (r.chance(p(0.5))) {
      links.push({
        url: `https://wiki.example.com/runbooks/${name}`,
        title: 'Runbook',
        type: 'runbook',
      });
    }
    if (r.chance(p(0.2))) {
      links.push({
        url: `https://grafana.example.com/d/${name}`,
        title: 'Dashboard',
        type: 'dashboard',
      });
    }
    if (r.chance(0.05)) {
      links.push({
        url: `https://wiki.example.com/postmortems/${name}`,
        title: 'Postmortems',
        type: 'postmortems',
      });
    }

    // Mostly a team; sometimes the sub-area itself, a person, or a team that does not exist.
    const ownerRoll = r.int(100);
    let owner = `group:default/${r.pick(teamsOfSubArea).name}`;
    if (ownerRoll >= 97) {
      owner = `group:default/ghost-team-${r.int(10)}`;
    } else if (ownerRoll >= 94) {
      owner = `user:default/${r.pick(users)}`;
    } else if (ownerRoll >= 90) {
      owner = `group:default/${system.subArea.name}`;
    }
    const dependsOn: string[] = [];
    for (let d = r.int(3); d > 0 && i > 0; d--) {
      dependsOn.push(
        `component:default/svc-${String(r.int(i)).padStart(5, '0')}`,
      );
    }
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name,
        namespace: 'default',
        title: `${type[0].toUpperCase()}${type.slice(1)} ${i}`,
        annotations,
        ...(r.chance(0.7) && {
          tags: [r.pick(['java', 'go', 'node', 'python'])],
        }),
        ...(links.length > 0 && { links }),
      },
      spec: {
        type,
        lifecycle: r.pick([
          'production',
          'production',
          'production',
          'experimental',
          'deprecated',
        ]),
        owner,
        system: system.name,
        ...(dependsOn.length > 0 && { dependsOn }),
      },
    });
    componentRefs.push(`component:default/${name}`);
  }

  const counts: Record<string, number> = {};
  for (const entity of entities) {
    counts[entity.kind] = (counts[entity.kind] ?? 0) + 1;
  }
  return {
    entities,
    componentRefs,
    departmentRefs: departments.map(d => `group:default/${d.name}`),
    counts,
  };
}
