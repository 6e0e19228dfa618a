const LOGICAL_OPERATORS = new Set(['$all', '$any', '$not']);

/**
 * The paths a rule reads, in the order they first appear: `metadata.annotations.<key>`,
 * `metadata.links`, `relations`, `facts.<name>.<field>` and so on. Operators that compare a
 * value (`$exists`, `$contains`, `$within`, ...) end a path; what they compare inside an array
 * element is part of that path, not a path of its own.
 */
export function rulePaths(rule: unknown): string[] {
  const paths = new Set<string>();
  const visit = (node: unknown) => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== 'object') {
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (LOGICAL_OPERATORS.has(key)) {
        visit(value);
      } else if (!key.startsWith('$')) {
        paths.add(key);
      }
    }
  };
  visit(rule);
  return [...paths];
}
