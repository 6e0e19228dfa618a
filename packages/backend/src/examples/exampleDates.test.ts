import type { Entity } from '@backstage/catalog-model';
import { ExampleDatesProcessor } from './exampleDates';

const EXAMPLES = { type: 'file', target: '/repo/examples/entities.yaml' };

function component(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'storefront-web', annotations },
    spec: { type: 'service', owner: 'team-web', lifecycle: 'production' },
  };
}

function processorOn(day: string) {
  return new ExampleDatesProcessor({
    clock: () => new Date(`${day}T15:30:00Z`),
  });
}

describe('ExampleDatesProcessor', () => {
  const annotations = {
    'guardrails.dev/runbook-reviewed': '2025-11-04',
    'guardrails.dev/security-reviewed': '2027-02-15',
    'guardrails.dev/chaos-last-run': '2026-04-15',
    'guardrails.dev/waive.on-call':
      '2027-02-28: Internal tool: joins the rota in Q1',
    'guardrails.dev/waive.security-review': 'Reviewed informally',
    'guardrails.dev/runbook-reviewed-note': '2026-01-01',
    'pagerduty.com/service-id': 'PSFW101',
  };

  it('keeps every example date at the age it had on the day the examples were written', async () => {
    const entity = await processorOn('2027-01-05').preProcessEntity(
      component(annotations),
      EXAMPLES,
    );
    // 40 days after 2026-11-26.
    expect(entity.metadata.annotations).toEqual({
      'guardrails.dev/runbook-reviewed': '2025-12-14',
      'guardrails.dev/security-reviewed': '2027-03-27',
      'guardrails.dev/chaos-last-run': '2026-05-25',
      'guardrails.dev/waive.on-call':
        '2027-04-09: Internal tool: joins the rota in Q1',
      'guardrails.dev/waive.security-review': 'Reviewed informally',
      'guardrails.dev/runbook-reviewed-note': '2026-01-01',
      'pagerduty.com/service-id': 'PSFW101',
    });
  });

  it('leaves malformed values, other locations and the writing day alone', async () => {
    const malformed = component({
      'guardrails.dev/runbook-reviewed': 'last spring',
    });
    expect(
      await processorOn('2027-01-05').preProcessEntity(malformed, EXAMPLES),
    ).toEqual(malformed);

    const elsewhere = component(annotations);
    expect(
      await processorOn('2027-01-05').preProcessEntity(elsewhere, {
        type: 'url',
        target: 'https://github.com/acme/examples/blob/main/catalog-info.yaml',
      }),
    ).toEqual(elsewhere);

    expect(
      await processorOn('2026-11-26').preProcessEntity(
        component(annotations),
        EXAMPLES,
      ),
    ).toEqual(component(annotations));
  });
});
