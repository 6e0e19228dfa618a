import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { createOpenApiDocument } from '../src/schema/openapi';

/** Where the OpenAPI document is kept. */
export const OPENAPI_FILE = resolve(__dirname, '../src/schema/openapi.yaml');

/** The OpenAPI document as it should be committed. */
export function renderOpenApi(): string {
  return `# Generated from the zod schemas of src/service/routes by \`yarn openapi:generate\`; do not edit.\n${stringify(
    createOpenApiDocument(),
    { lineWidth: 0, singleQuote: true },
  )}`;
}

if (require.main === module) {
  writeFileSync(OPENAPI_FILE, renderOpenApi());
  console.log(`Wrote ${OPENAPI_FILE}`);
}
