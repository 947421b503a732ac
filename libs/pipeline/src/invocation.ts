/**
 * Which services an `nx` command line covers, so an interrupted run can still give every one of
 * them a row — also the ones Nx never started — and the pre-tasks hook knows what to settle and
 * to give a head start. `nx affected`, `--exclude` and project patterns are left out (null): what
 * they cover needs the project graph, and `imagefleet run --affected` writes those rows itself.
 */
import type { Manifest } from '@imagefleet/manifest';

export function servicesOfNxCommand(args: string[], manifest: Manifest): string[] | null {
  const names = manifest.services.map((s) => s.name);
  const command = args.find((a) => !a.startsWith('-'));
  if (command === 'run-many') {
    // `--exclude`, and patterns in `--projects` (globs, `tag:…`, `!…`), select by rules of Nx's
    // own: not known here, so nothing is assumed (no settling, no head start for a service Nx
    // may not run).
    if (optionValue(args, ['--exclude']) !== undefined) return null;
    const projects = optionValue(args, ['--projects', '-p']);
    if (!projects) return names;
    const wanted = projects.split(',');
    if (wanted.some((n) => !names.includes(n))) return null;
    // `push` and `image` depend on the bases' `push`: Nx runs those too, unless told not to.
    if (args.some((a) => a === '--excludeTaskDependencies' || a === '--exclude-task-dependencies')) return names.filter((n) => wanted.includes(n));
    const covered = new Set(wanted.flatMap((n) => withBases(manifest, n) ?? []));
    return names.filter((n) => covered.has(n));
  }
  if (command === 'run') {
    const spec = args[args.indexOf('run') + 1] ?? '';
    return withBases(manifest, spec.split(':')[0] ?? '');
  }
  if (command && command !== 'affected') {
    // `nx push agents-runtime`: the infix form.
    const project = args[args.indexOf(command) + 1];
    return project && !project.startsWith('-') ? withBases(manifest, project) : null;
  }
  return null;
}

/**
 * The targets an `nx` command line runs: `run-many`/`affected` `-t a b` or `-t a,b`,
 * `run project:target`, or the infix form `nx push web`.
 */
export function targetsOfNxCommand(args: string[]): string[] {
  const command = args.find((a) => !a.startsWith('-'));
  if (command === 'run-many' || command === 'affected') {
    const out: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const flag = ['-t', '--targets', '--target', '--t'].find((f) => a === f || a.startsWith(`${f}=`));
      if (!flag) continue;
      if (a !== flag) out.push(...a.slice(flag.length + 1).split(','));
      else for (let j = i + 1; j < args.length && !args[j]!.startsWith('-'); j++) out.push(...args[j]!.split(','));
    }
    return out.filter(Boolean);
  }
  if (command === 'run') return [(args[args.indexOf('run') + 1] ?? '').split(':')[1] ?? ''].filter(Boolean);
  return command ? [command] : [];
}

/**
 * How many tasks Nx runs at once for this command line: `--parallel=N` / `--parallel N`,
 * `--parallel=false` (one), else nx.json's `parallel` (`configured`), else Nx's default of 3.
 */
export function parallelOfNxCommand(args: string[], configured?: number): number {
  const fallback = configured && configured > 0 ? configured : 3;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a !== '--parallel' && !a.startsWith('--parallel=')) continue;
    const value = a === '--parallel' ? (/^\d+$/.test(args[i + 1] ?? '') ? args[i + 1]! : 'true') : a.slice('--parallel='.length);
    if (value === 'false') return 1;
    const n = Number(value);
    return Number.isInteger(n) && n > 0 ? n : fallback;
  }
  return fallback;
}

function withBases(manifest: Manifest, name: string): string[] | null {
  const byName = new Map(manifest.services.map((s) => [s.name, s]));
  if (!byName.has(name)) return null;
  const out = new Set<string>();
  const visit = (n: string) => {
    if (out.has(n)) return;
    out.add(n);
    for (const d of byName.get(n)?.dependsOn ?? []) visit(d);
  };
  visit(name);
  return manifest.services.map((s) => s.name).filter((n) => out.has(n));
}

function optionValue(args: string[], names: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    for (const n of names) {
      if (a === n) return args[i + 1];
      if (a.startsWith(`${n}=`)) return a.slice(n.length + 1);
    }
  }
  return undefined;
}
