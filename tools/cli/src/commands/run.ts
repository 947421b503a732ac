/**
 * `imagefleet run <target>`: `nx run-many` (or `nx affected`) with one run id for every task,
 * then the rows nobody else could write — services Nx skipped because a dependency failed, or
 * never started because the run was interrupted — and the summary table.
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { loadManifest, type Manifest } from '@imagefleet/manifest';
import { RUN_ID_ENV, WRAPPED_ENV, pendingEnv, affectedServices, planRun, recordNotStarted, recordUnchangedServices, runIdFor, runServicesDirect, workspacePaths, type AffectedReason } from '@imagefleet/pipeline';
import { availableParallelism } from 'node:os';
import { runCommand } from '@imagefleet/process';
import { readRows, renderTable } from '@imagefleet/report';
import { gitChanges } from '../git-changes.js';

export interface RunOptions {
  parallel?: string | undefined;
  affected: boolean;
  base?: string | undefined;
  head?: string | undefined;
  projects?: string[] | undefined;
  /** Run the tasks in this process instead of through `nx run-many` (push only). */
  direct?: boolean;
}

/** Builds default to one per core, as the seed script's JOBS=$(nproc). */
export const DEFAULT_PARALLEL = '100%';

/**
 * The Nx command for the services that need work. For `push`, the fast path has already
 * handled every unchanged service, so Nx runs exactly the `push` tasks (build + push) of the rest
 * (`--excludeTaskDependencies`; their order among themselves still follows the graph).
 */
export function nxArguments(target: string, projects: string[], opts: Pick<RunOptions, 'parallel'>): string[] {
  const targets = target === 'push' ? ['-t', 'push', '--excludeTaskDependencies'] : ['-t', target];
  return ['run-many', ...targets, `--projects=${projects.join(',')}`, `--parallel=${opts.parallel ?? DEFAULT_PARALLEL}`, '--outputStyle=stream', '--skipNxCache'];
}

export async function runCommandLine(manifestFile: string, target: string, opts: RunOptions, signal: AbortSignal): Promise<number> {
  const manifest = await loadManifest(manifestFile);
  const runId = runIdFor(process.pid);
  const nx = nxEntry(manifest.root);
  // Nx decides about its daemon as usual (on locally, off in CI) unless NX_DAEMON says otherwise.
  // Nothing is settled for the tasks: this process already recorded the unchanged services and
  // hands Nx only the rest (a stale IMAGEFLEET_SETTLED_* from the caller's shell must not count).
  const env: Record<string, string> = {
    [RUN_ID_ENV]: runId,
    [WRAPPED_ENV]: '1',
    ...pendingEnv(manifest.services.map((s) => s.name), runId),
    NX_TUI: 'false',
  };
  const planned = (await selectServices(manifest, opts)).map((a) => a.service);
  process.stdout.write(`imagefleet: run ${runId}: ${target} on ${planned.length} service(s)\n`);
  if (!planned.length) {
    // Nothing selected (e.g. --affected with no change to any service): no rows, and the summary
    // files keep describing the run that wrote them.
    process.stdout.write('imagefleet: nothing to do\n');
    return 0;
  }

  let toRun = planned;
  if (target === 'push') {
    const plan = await planRun(manifest, planned, { env: process.env, runId });
    await recordUnchangedServices(manifest, plan, { env: process.env, runId });
    toRun = plan.changed;
    process.stdout.write(`imagefleet: ${plan.unchanged.size} unchanged (in the registry, verified), ${toRun.length} to build\n`);
  }

  if (opts.direct && target === 'push') {
    const ok = await runServicesDirect(manifest, toRun, { runId, parallel: parallelCount(opts.parallel), signal, env: { ...process.env, ...env } });
    return finishRun(manifest, runId, planned, signal, ok);
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

  if (target === 'push') return finishRun(manifest, runId, planned, signal, result.ok);
  if (signal.aborted) return 130;
  return result.ok ? 0 : 1;
}

/** Rows for what never started, the table, the exit code. */
async function finishRun(manifest: Manifest, runId: string, planned: string[], signal: AbortSignal, ranOk: boolean): Promise<number> {
  const paths = workspacePaths(manifest);
  await recordNotStarted(manifest, runId, planned, { interrupted: signal.aborted });
  const tag = manifest.services[0]?.tags[0] ?? 'dev';
  const thisRun = await readRows(paths.logs, { runId });
  process.stdout.write(`\n${renderTable(thisRun)}\n`);
  process.stdout.write(`summary: ${relative(process.cwd(), join(paths.logs, `build-summary-${tag}.csv`))}\n`);
  if (signal.aborted) return 130;
  return thisRun.every((r) => r.status === 'pushed' || r.status === 'unchanged') && ranOk ? 0 : 1;
}

/** `--parallel` as Nx reads it: a number or a percentage of the cores. */
export function parallelCount(value: string | undefined): number {
  const v = value ?? DEFAULT_PARALLEL;
  const n = Number.parseFloat(v);
  const count = v.endsWith('%') ? (availableParallelism() * n) / 100 : n;
  return Math.max(1, Math.floor(Number.isFinite(count) ? count : 1));
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
