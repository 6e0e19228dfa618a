import { readFileSync } from 'node:fs';
import { OPENAPI_FILE, renderOpenApi } from '../../scripts/openapi';

describe('openapi.yaml', () => {
  // The name is what a failure prints first: it says how to bring the document up to date.
  it('is the document the route schemas give; `yarn workspace @guardrails/plugin-scorecards-backend openapi:generate` rewrites it', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(renderOpenApi());
  });
});
