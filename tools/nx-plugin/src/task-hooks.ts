/**
 * The plugin's task-execution hooks: thin adapters over libs/pipeline/src/nx-run.ts, which
 * says what happens before the first task of a push run and after the last. They run in the
 * plugin's worker (in the `nx` process's tree, or under the Nx daemon when that is on), in
 * process: starting the CLI instead would add ~0.3 s to each.
 *
 * When some service of the run still has work to do, the pre-tasks hook also starts the run's
 * task server (tools/cli/src/task-server.ts) without waiting for it: tasks that start before it
 * is ready run the CLI themselves. The post-tasks hook stops it.
 */
import { join } from 'node:path';
import { readFile, rm } from 'node:fs/promises';
import type { PostTasksExecution, PreTasksExecution } from '@nx/devkit';
import { loadManifest } from '@imagefleet/manifest';
import { TASK_SERVER_ENV, WRAPPED_ENV, finishNxRun, pendingEnv, settledDigest, startNxRun, workspacePaths } from '@imagefleet/pipeline';
import { startDetached } from '@imagefleet/process';
import { renderTable } from '@imagefleet/report';

/** Where the plugin finds the manifest and the CLI, relative to the workspace root. */
const MANIFEST = 'services.manifest.yaml';
const CLI = join('tools', 'cli', 'bin', 'imagefleet.mjs');

export const preTasksExecution: PreTasksExecution = async (_options, context) => {
  const args = context.argv.slice(2);
  if (process.env[WRAPPED_ENV]) return; // `imagefleet run` settles, and skips Nx's cache
  // Only this hook says what is settled and where the server is: never a value left in the
  // caller's environment. Every service starts pending, with a value unique to this
  // invocation, so no `push` can come from Nx's cache unless settled below — also when a push
  // task runs only as a dependency (`nx run-many -t image`), or when settling fails.
  process.env[TASK_SERVER_ENV] = '';
  let manifest;
  try {
    manifest = await loadManifest(join(context.workspaceRoot, MANIFEST));
  } catch {
    return; // the graph reports it: no service, no task
  }
  Object.assign(process.env, pendingEnv(manifest.services.map((s) => s.name), context.id));
  try {
    const run = await startNxRun(manifest, args, { hookId: context.id, env: process.env });
    // Nx passes what the hook sets in process.env on to every task (and into task hashes).
    Object.assign(process.env, run.env);
    if (run.runId && (!run.services || run.services.some((s) => !settledDigest(run.env, s)))) {
      const dir = join(workspacePaths(manifest).state, 'task-server');
      const info = join(dir, `${run.runId}.info`);
      await startDetached(
        process.execPath,
        [CLI, 'task-server', '--manifest', MANIFEST, '--run-id', run.runId, '--info', info, '--owner-pid', String(nxProcess()), ...(run.services ? ['--projects', run.services.join(',')] : [])],
        { cwd: context.workspaceRoot, env: run.env, logFile: join(dir, `${run.runId}.log`) },
      );
      process.env[TASK_SERVER_ENV] = info;
    }
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
  await stopTaskServer(process.env[TASK_SERVER_ENV]);
  try {
    const manifest = await loadManifest(join(context.workspaceRoot, MANIFEST));
    const rows = await finishNxRun(manifest, pushTasks, { hookId: context.id });
    if (rows?.length) process.stdout.write(`\n${renderTable(rows)}\n`);
  } catch (error) {
    process.stderr.write(`imagefleet: could not finish the run's summary (${(error as Error).message})\n`);
  }
};

/**
 * The process the server outlives at most briefly: `nx` itself (or its daemon). The hooks run in
 * a plugin worker started by it, or — with NX_ISOLATE_PLUGINS=false — in it.
 */
function nxProcess(): number {
  return process.env['NX_ISOLATE_PLUGINS'] === 'false' ? process.pid : process.ppid;
}

/** SIGTERM to the pid in the server's info file; a server not yet up stops itself when idle. */
async function stopTaskServer(info: string | undefined): Promise<void> {
  if (!info) return;
  const pid = Number((await readFile(info, 'utf8').catch(() => '')).split(' ')[2]);
  if (Number.isInteger(pid) && pid > 0) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      await rm(info, { force: true }); // gone already
    }
  }
}
