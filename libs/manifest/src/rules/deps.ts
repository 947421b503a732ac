import type { ManifestFile } from '../schema.js';
import { closest, listOf } from '../suggest.js';
import type { Problem } from '../problem.js';

/**
 * `dependsOn` orders builds (a service builds FROM the images it names), so every name must be a
 * service here and the graph must have no cycles, or no order exists.
 */
export function dependencyProblems(raw: ManifestFile, order: readonly string[]): Problem[] {
  const known = order.filter((name) => name in raw.services);
  const problems: Problem[] = [];
  const edges = new Map<string, string[]>();
  for (const name of known) {
    const dependsOn = raw.services[name]?.dependsOn ?? [];
    edges.set(name, []);
    dependsOn.forEach((dep, i) => {
      const path = ['services', name, 'dependsOn', i];
      if (dep === name) {
        problems.push({ path, message: `service "${name}" depends on itself: remove "${dep}" from its dependsOn` });
      } else if (!(dep in raw.services)) {
        problems.push({
          path,
          message: unknownMessage(
            dep,
            known.filter((n) => n !== name),
          ),
        });
      } else edges.get(name)!.push(dep);
    });
  }
  for (const cycle of cycles(known, edges)) {
    const [first, second] = cycle as [string, string];
    const index = raw.services[first]?.dependsOn?.indexOf(second) ?? 0;
    problems.push({
      path: ['services', first, 'dependsOn', index],
      message: `dependency cycle ${cycle.join(' -> ')}: remove one of these dependsOn entries`,
    });
  }
  return problems;
}

function unknownMessage(dep: string, candidates: string[]): string {
  const near = closest(dep, candidates);
  if (near) return `"${dep}" is not a service in this manifest: did you mean "${near}"?`;
  return `"${dep}" is not a service in this manifest: use one of ${listOf(candidates)}`;
}

/**
 * Each cycle once, as `[a, b, …, a]`, starting from the member declared first, found by
 * depth-first search: a dependency already on the current path closes a cycle.
 */
export function cycles(nodes: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const rank = new Map(nodes.map((n, i) => [n, i]));
  const done = new Set<string>();
  const seen = new Set<string>();
  const found: string[][] = [];
  const stack: string[] = [];

  const visit = (node: string): void => {
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      const at = stack.indexOf(next);
      if (at !== -1) {
        const members = stack.slice(at);
        const start = members.reduce((a, b) => (rank.get(b)! < rank.get(a)! ? b : a));
        const from = members.indexOf(start);
        const cycle = [...members.slice(from), ...members.slice(0, from), start];
        const key = cycle.join('\0');
        if (!seen.has(key)) {
          seen.add(key);
          found.push(cycle);
        }
      } else if (!done.has(next)) visit(next);
    }
    stack.pop();
    done.add(node);
  };
  for (const node of nodes) if (!done.has(node)) visit(node);
  return found;
}
