/**
 * The plugin's task-execution hooks: thin adapters over libs/pipeline/src/nx-run.ts, which
 * says what happens before the first task of a push run and after the last. They run in the
 * plugin's worker (in the `nx` process's tree, or under the Nx daemon when that is on), in
 * process: starting the CLI instead would add ~0.3 s to each.
 */
import { join } from 'node:path';
import type { PostTasksExecution, PreTasksExecution } from '@nx/devkit';
import { loadManifest } from '@imagefleet/manifest';
import { SETTLED_ENV, WRAPPED_ENV, finishNxRun, startNxRun } from '@imagefleet/pipeline';
import { renderTable } from '@imagefleet/report';

/** Where the plugin finds the manifest, relative to the workspace root. */
const MANIFEST = 'services.manifest.yaml';

/** Cheap test before loading anything: could this command line run a `push` target? */
function mayRunPush(args: string[]): boolean {
  return args.some((a) => a.split(/[,:=]/).includes('push'));
}

export const preTasksExecution: PreTasksExecution = async (_options, context) => {
  const args = context.argv.slice(2);
  if (!mayRunPush(args)) return;
  // Only this hook says what is settled: never a value left in the caller's environment.
  if (!process.env[WRAPPED_ENV]) process.env[SETTLED_ENV] = '';
  try {
    const manifest = await loadManifest(join(context.workspaceRoot, MANIFEST));
    const env = await startNxRun(manifest, args, { hookId: context.id, env: process.env });
    // Nx passes what the hook sets in process.env on to every task (and into task hashes).
    Object.assign(process.env, env);
  } catch (error) {
    // Only speed is lost: every push task then checks the registry itself.
    process.stderr.write(`imagefleet: the pre-tasks check did not finish (${(error as Error).message}); every task checks its own image\n`);
  }
};

export const postTasksExecution: PostTasksExecution = async (_options, context) => {
  const pushTasks = Object.values(context.taskResults)
    .filter((r) => r.task.target.target === 'push')
    .map((r) => r.task.target.project);
  if (!pushTasks.length) return;
  try {
    const manifest = await loadManifest(join(context.workspaceRoot, MANIFEST));
    const rows = await finishNxRun(manifest, pushTasks, { hookId: context.id });
    if (rows?.length) process.stdout.write(`\n${renderTable(rows)}\n`);
  } catch (error) {
    process.stderr.write(`imagefleet: could not finish the run's summary (${(error as Error).message})\n`);
  }
};
