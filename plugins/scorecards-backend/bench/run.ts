/*
 * Runs benchmarks, each in a fresh Node process so that one does not warm up or fill the heap
 * for the next: the files named on the command line (`engine` or `bench/engine.ts`), or every
 * `.ts` file in this folder but this one and those starting with `_` (shared helpers).
 *
 *   yarn bench            every benchmark
 *   yarn bench engine     one benchmark
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';

const transform = require.resolve('@backstage/cli/config/nodeTransform.cjs');

function benchFiles(names: string[]): string[] {
  if (names.length === 0) {
    return readdirSync(__dirname)
      .filter(
        name =>
          name.endsWith('.ts') &&
          !name.endsWith('.d.ts') &&
          name !== basename(__filename) &&
          !name.startsWith('_'),
      )
      .sort()
      .map(name => join(__dirname, name));
  }
  return names.map(name => {
    const candidates = [
      resolve(process.cwd(), name),
      join(__dirname, name),
      join(__dirname, `${name}.ts`),
    ];
    const found = candidates.find(candidate => existsSync(candidate));
    if (!found) {
      throw new Error(
        `No benchmark '${name}' in ${relative(process.cwd(), __dirname)}`,
      );
    }
    return found;
  });
}

function main() {
  const failed: string[] = [];
  for (const file of benchFiles(process.argv.slice(2))) {
    const name = relative(process.cwd(), file);
    console.log(`\n=== ${name} ===`);
    const result = spawnSync(process.execPath, ['--require', transform, file], {
      stdio: 'inherit',
    });
    if (result.status !== 0) {
      failed.push(name);
    }
  }
  if (failed.length > 0) {
    console.error(`\nFailed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

main();
