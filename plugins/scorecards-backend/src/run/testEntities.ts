import type { Entity } from '@backstage/catalog-model';

/** A Group entity as the catalog returns it. */
export function group(name: string, parent?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: {
      type: parent ? 'team' : 'department',
      profile: { displayName: name.replace(/-/g, ' ') },
      ...(parent ? { parent } : {}),
      children: [],
    },
    relations: parent
      ? [{ type: 'childOf', targetRef: `group:default/${parent}` }]
      : [],
  };
}

/** A Component entity as the catalog returns it, with the relations the catalog computes. */
export function component(
  name: string,
  options: {
    owner: string;
    system?: string;
    type?: string;
    annotations?: Record<string, string>;
    links?: Array<{ url: string; title?: string; type?: string }>;
  },
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      title: name.replace(/-/g, ' '),
      annotations: options.annotations ?? {},
      links: options.links ?? [],
    },
    spec: {
      type: options.type ?? 'service',
      lifecycle: 'production',
      owner: options.owner,
      ...(options.system ? { system: options.system } : {}),
    },
    relations: [
      { type: 'ownedBy', targetRef: `group:default/${options.owner}` },
      ...(options.system
        ? [{ type: 'partOf', targetRef: `system:default/${options.system}` }]
        : []),
    ],
  };
}

/** Annotations and links that pass every built-in check as of late 2026. */
export const EXEMPLARY = {
  annotations: {
    'pagerduty.com/service-id': 'PX12345',
    'sonarqube.org/project-key': 'acme_checkout',
    'guardrails.dev/slo-target': '99.9',
    'guardrails.dev/slo-doc': 'https://wiki.example.com/slo/checkout',
    'grafana/dashboard-selector': "tags @> 'checkout'",
    'backstage.io/techdocs-ref': 'dir:.',
    'guardrails.dev/security-contact': '#sec-checkout',
    'guardrails.dev/security-tier': '1',
    'guardrails.dev/runbook-reviewed': '2026-10-02',
    'guardrails.dev/postmortems': 'https://wiki.example.com/postmortems',
    'guardrails.dev/security-reviewed': '2026-05-14',
    'guardrails.dev/rollout-strategy': 'canary',
    'guardrails.dev/chaos-last-run': '2026-11-02',
  },
  links: [
    {
      url: 'https://wiki.example.com/runbooks/checkout',
      title: 'Runbook',
      type: 'runbook',
    },
  ],
};
