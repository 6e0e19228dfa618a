import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Every TypeScript file under `dir`, tests included. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return sourceFiles(full);
    }
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** The files of `files` that `file` imports or re-exports, type-only imports included. */
function importsOf(file: string, files: ReadonlySet<string>): string[] {
  const { importedFiles } = ts.preProcessFile(
    fs.readFileSync(file, 'utf8'),
    true,
    true,
  );
  return importedFiles
    .map(imported => imported.fileName)
    .filter(specifier => specifier.startsWith('.'))
    .flatMap(specifier => {
      const base = path.resolve(path.dirname(file), specifier);
      return (
        [`${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')].find(
          candidate => files.has(candidate),
        ) ?? []
      );
    });
}

/** Every import cycle among `files`, each as the list of files around it. */
function findImportCycles(files: readonly string[]): string[][] {
  const known = new Set(files);
  const graph = new Map(files.map(file => [file, importsOf(file, known)]));
  const cycles: string[][] = [];
  const done = new Set<string>();
  const visit = (file: string, trail: string[]) => {
    const seen = trail.indexOf(file);
    if (seen !== -1) {
      cycles.push(trail.slice(seen));
      return;
    }
    if (done.has(file)) {
      return;
    }
    for (const next of graph.get(file) ?? []) {
      visit(next, [...trail, file]);
    }
    done.add(file);
  };
  files.forEach(file => visit(file, []));
  return cycles;
}

describe('imports', () => {
  const root = __dirname;

  it('never form a cycle inside the package, type imports included', () => {
    const cycles = findImportCycles(sourceFiles(root)).map(cycle =>
      cycle.map(file => path.relative(root, file)).join(' > '),
    );
    expect(cycles).toEqual([]);
  });

  it('are followed through type imports and re-exports', () => {
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'cyc-'));
    try {
      const write = (name: string, text: string) =>
        fs.writeFileSync(path.join(dir, name), text);
      write('a.ts', "import type { B } from './b';\nexport type A = B;\n");
      write('b.ts', "export { c } from './c';\nexport type B = string;\n");
      write('c.ts', "import { a } from './d';\nexport const c = a;\n");
      write('d.ts', "import type { A } from './a';\nexport const a: A = '';\n");
      write('e.ts', "import { c } from './c';\nexport const e = c;\n");
      const cycles = findImportCycles(sourceFiles(dir)).map(cycle =>
        cycle.map(file => path.basename(file)).join(' > '),
      );
      expect(cycles).toEqual(['a.ts > b.ts > c.ts > d.ts']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
