/*
 * Writes the backend benchmarks' generated organisation (see _catalog.ts) to a catalog file, one
 * YAML document per entity, for a backend that reads it through a `file` location: the rollup
 * page's browser benchmark (scripts/bench-rollup-page.mjs) starts the example backend on it.
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs bench/catalog-file.ts <file> [components]
 *
 * Components default to 10,000. Prints the entity counts by kind as JSON on stdout.
 */
import fs from 'node:fs';
import { stringify } from 'yaml';
import { generateCatalog } from './_catalog';

const [file, components = '10000'] = process.argv.slice(2);
if (!file || !/^\d+$/.test(components)) {
  throw new Error('Usage: catalog-file.ts <file> [components]');
}
const generated = generateCatalog(Number(components), Date.now());
fs.writeFileSync(
  file,
  generated.entities.map(entity => stringify(entity)).join('---\n'),
);
process.stdout.write(`${JSON.stringify(generated.counts)}\n`);
