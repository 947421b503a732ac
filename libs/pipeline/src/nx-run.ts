/**
 * A bare `nx run-many -t push` (or `nx run web:push`), made as fast and as truthful as
 * `imagefleet run push`: the Nx plugin's pre-tasks hook calls `startNxRun` before Nx starts any
 * task, and its post-tasks hook calls `finishNxRun` after the last one.
 *
 * - start: one run id for every task; the services the command covers whose content tag is in
 *   the registry and verifies are settled here, in one process, many at a time (tags pointed,
 *   rows and logs written). Their `push` tasks then end at once without starting Node
 *   (tools/cli/bin/imagefleet-task.sh reads IMAGEFLEET_SETTLED_<SERVICE>). With a process per task, that
 *   is most of a warm run's time. Their cache keys (nx-cache-keys.ts) let Nx replay them from
 *   its cache instead, without starting a task at all.
 * - finish: rows for covered services whose task never ran (a base failed), and the table.
 *
 * What a run covers and settled is kept in a small state file between the two hooks, keyed by
 * the id Nx gives the invocation: with the Nx daemon on, the hooks run in the daemon, not in
 * the `nx` process.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest } from '@imagefleet/manifest';
import { readRows, writeFileAtomic, type SummaryRow } from '@imagefleet/report';
import { planRun, recordUnchangedServices } from './fast-path.js';
import { servicesOfNxCommand, targetsOfNxCommand } from './invocation.js';
import { recordNotStarted } from './not-started.js';
import { workspacePaths } from './paths.js';
import { RUN_ID_ENV, WRAPPED_ENV, cacheKeyEnvName, pendingEnv, settledEnvName } from './run-env.js';
import { assignCacheKeys, cacheKeysFile } from './nx-cache-keys.js';
import { newRunId } from './run-id.js';

interface NxRunState {
  runId: string;
  /** Services the command line covers, when it can be told from it (not for `nx affected`). */
  services: string[] | null;
}

export interface NxRunStart {
  /** What every task of this invocation gets in its environment ({} when nothing is to be set). */
  env: Record<string, string>;
  /** null: not a push run this hook owns. */
  runId: string | null;
  /** The services the command line covers, when it can be told (not for `nx affected`). */
  services: string[] | null;
}

export async function startNxRun(
  manifest: Manifest,
  nxArgs: string[],
  opts: {
    hookId: string;
    env: NodeJS.ProcessEnv;
    /**
     * As soon as a covered service is known to have work to do while every image it builds FROM
     * is unchanged: Nx will run its `push` and nothing it waits for is left, so that work can
     * start before Nx asks for it.
     */
    onReady?: (service: string, run: { runId: string; services: string[] | null }) => void;
  },
): Promise<NxRunStart> {
  // `imagefleet run` settles and finishes its runs itself.
  if (opts.env[WRAPPED_ENV] || !targetsOfNxCommand(nxArgs).includes('push')) return { env: {}, runId: null, services: null };
  const runId = newRunId();
  const services = servicesOfNxCommand(nxArgs, manifest);
  await writeFileAtomic(statePath(manifest, opts.hookId), JSON.stringify({ runId, services } satisfies NxRunState));
  const settled = new Map<string, string>();
  if (services?.length) {
    const onReady = opts.onReady;
    const plan = await planRun(manifest, services, { env: opts.env, runId, ...(onReady && { onReady: (service: string) => onReady(service, { runId, services }) }) });
    // Each settled service's task prints its own line; here only the rows and logs.
    for (const row of await recordUnchangedServices(manifest, plan, { env: opts.env, runId, announce: false })) {
      if (row.status === 'unchanged') settled.set(row.service, row.digest);
    }
  }
  const env: Record<string, string> = { [RUN_ID_ENV]: runId, ...pendingEnv(manifest.services.map((s) => s.name), runId) };
  for (const [service, digest] of settled) env[settledEnvName(service)] = digest;
  if (services?.length) {
    const keys = await assignCacheKeys(cacheKeysFile(workspacePaths(manifest).state), runId, services.map((name) => ({ name, verified: settled.has(name) })));
    for (const [service, key] of Object.entries(keys)) env[cacheKeyEnvName(service)] = key;
  }
  return { env, runId, services };
}

/**
 * After the last task: rows for the push tasks that never ran, then this run's rows (for the
 * table). `pushTasks` are the projects whose `push` task was in the run, whatever its status.
 */
export async function finishNxRun(manifest: Manifest, pushTasks: string[], opts: { hookId: string }): Promise<SummaryRow[] | null> {
  const path = statePath(manifest, opts.hookId);
  let state: NxRunState;
  try {
    state = JSON.parse(await readFile(path, 'utf8')) as NxRunState;
  } catch {
    return null; // not a push run, or `imagefleet run` owns it
  }
  await rm(path, { force: true });
  const covered = [...new Set([...(state.services ?? []), ...pushTasks])];
  await recordNotStarted(manifest, state.runId, covered, { interrupted: false });
  return readRows(workspacePaths(manifest).logs, { runId: state.runId });
}

function statePath(manifest: Manifest, hookId: string): string {
  return join(workspacePaths(manifest).state, 'nx-runs', `${hookId.replace(/[^A-Za-z0-9_-]/g, '_')}.json`);
}
