/**
 * `imagefleet run <target>`: `nx run-many` (or `nx affected`) with one run id for every task,
 * then the rows nobody else could write — services Nx skipped because a dependency failed, or
 * never started because the run was interrupted — and the summary table.
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import pLimit from 'p-limit';
import { loadManifest, type Manifest } from '@imagefleet/manifest';
import { affectedServices, planRun, recordNotStarted, recordUnchanged, runIdFor, serviceContext, workspacePaths, type AffectedReason } from '@imagefleet/pipeline';
import { runCommand } from '@imagefleet/process';
import { readRows, renderTable } from '@imagefleet/report';
import { gitChanges } from '../git-changes.js';

export interface RunOptions {
  parallel?: string | undefined;
  affected: boolean;
  base?: string | undefined;
  head?: string | undefined;
  projects?: string[] | undefined;
}

/** Builds default to one per core, as the seed script's JOBS=$(nproc). */
export const DEFAULT_PARALLEL = '100%';

/**
 * The Nx command for the services that need work. For `push`, the fast path has already
 * handled every unchanged service, so Nx runs exactly `image` + `push` of the rest
 * (`--excludeTaskDependencies`; their order among themselves still follows the graph).
 */
export function nxArguments(target: string, projects: string[], opts: Pick<RunOptions, 'parallel'>): string[] {
  const targets = target === 'push' ? ['-t', 'image', 'push', '--excludeTaskDependencies'] : ['-t', target];
  return ['run-many', ...targets, `--projects=${projects.join(',')}`, `--parallel=${opts.parallel ?? DEFAULT_PARALLEL}`, '--outputStyle=stream', '--skipNxCache'];
}

export async function runCommandLine(manifestFile: string, target: string, opts: RunOptions, signal: AbortSignal): Promise<number> {
  const manifest = await loadManifest(manifestFile);
  const paths = workspacePaths(manifest);
  const runId = runIdFor(process.pid);
  const nx = nxEntry(manifest.root);
  // Nx decides about its daemon as usual (on locally, off in CI) unless NX_DAEMON says otherwise.
  const env: Record<string, string> = { IMAGEFLEET_RUN_ID: runId, NX_TUI: 'false' };
  const planned = (await selectServices(manifest, opts)).map((a) => a.service);
  process.stdout.write(`imagefleet: run ${runId}: ${target} on ${planned.length} service(s)\n`);

  let toRun = planned;
  if (target === 'push') {
    const plan = await planRun(manifest, planned, { env: process.env, runId });
    const limit = pLimit(4);
    await Promise.all(
      [...plan.unchanged].map(([name, check]) =>
        limit(() => recordUnchanged(serviceContext(manifest, manifest.services.find((s) => s.name === name)!, { runId }), check)),
      ),
    );
    toRun = plan.changed;
    process.stdout.write(`imagefleet: ${plan.unchanged.size} unchanged (in the registry, verified), ${toRun.length} to build\n`);
  }

  const result = toRun.length
    ? await runCommand(process.execPath, [nx, ...nxArguments(target, toRun, opts)], {
        cwd: manifest.root,
        env,
        signal,
        // Tasks need a moment to stop their builds and pushes and record their rows.
        killGraceMs: 20_000,
        onLine: (line) => process.stdout.write(`${line}\n`),
      })
    : { ok: true, exitCode: 0, signal: null };

  if (target === 'push') {
    await recordNotStarted(manifest, runId, planned, { interrupted: signal.aborted });
    const tag = manifest.services[0]?.tags[0] ?? 'dev';
    const thisRun = await readRows(paths.logs, { runId });
    process.stdout.write(`\n${renderTable(thisRun)}\n`);
    process.stdout.write(`summary: ${relative(process.cwd(), join(paths.logs, `build-summary-${tag}.csv`))}\n`);
    if (signal.aborted) return 130;
    return thisRun.every((r) => r.status === 'pushed' || r.status === 'unchanged') && result.ok ? 0 : 1;
  }
  if (signal.aborted) return 130;
  return result.ok ? 0 : 1;
}

function nxEntry(root: string): string {
  const require = createRequire(join(root, 'package.json'));
  return require.resolve('nx/bin/nx.js');
}

/**
 * The services a run covers: all, `--projects`, or with `--affected` exactly those a change
 * touches (files of a service, its entry in the manifest) and everything built FROM them.
 */
export async function selectServices(manifest: Manifest, opts: RunOptions): Promise<AffectedReason[]> {
  let selected: AffectedReason[] = manifest.services.map((s) => ({ service: s.name, reason: 'all services' }));
  if (opts.affected) {
    const changes = await gitChanges(manifest.root, manifest.file, opts.base ?? 'main', opts.head);
    const now = await readFile(manifest.file, 'utf8');
    selected = affectedServices(manifest, changes.files, { before: changes.manifestBefore, now });
  }
  if (opts.projects?.length) {
    const wanted = new Set(opts.projects);
    for (const name of wanted) if (!manifest.services.some((s) => s.name === name)) throw new Error(`--projects: no service "${name}" in ${manifest.file}`);
    selected = selected.filter((a) => wanted.has(a.service));
  }
  return selected;
}
