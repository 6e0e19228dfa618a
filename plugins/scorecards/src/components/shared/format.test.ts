import { firstSentence } from './format';

describe('firstSentence', () => {
  it('cuts after the first full stop outside code spans', () => {
    expect(
      firstSentence(
        "Route the service's alerts to on-call, then annotate `catalog-info.yaml`. For PagerDuty:\n\n```yaml\nmetadata: {}\n```",
      ),
    ).toBe(
      "Route the service's alerts to on-call, then annotate `catalog-info.yaml`.",
    );
    expect(firstSentence('Set `spec.owner` to `a.b`. Then wait.')).toBe(
      'Set `spec.owner` to `a.b`.',
    );
  });

  it('ends a paragraph that introduces an example with a full stop', () => {
    expect(
      firstSentence(
        'Set `spec.owner` in `catalog-info.yaml` to a team\nthat exists in the catalog:\n\n```yaml\nspec: {}\n```',
      ),
    ).toBe(
      'Set `spec.owner` in `catalog-info.yaml` to a team that exists in the catalog.',
    );
  });
});
