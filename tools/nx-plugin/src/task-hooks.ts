/**
 * The plugin's task-execution hooks: thin adapters over libs/pipeline/src/nx-run.ts, which
 * says what happens before the first task of a push run and after the last. They run in the
 * plugin's worker (in the `nx` process's tree, or under the Nx daemon when that is on), in
 * process: starting the CLI instead would add ~0.3 s to each.
 *
 * When some service of the run still has work to do, the pre-tasks hook also starts the run's
 * task server (libs/pipeline/src/task-server.ts) and gives it a head start on the services whose
 * bases are all settled. The server lives in this process when this process is `nx` itself
 * (plugins in process, no daemon); else in a process of its own (tools/cli/src/task-server.ts).
 * That one is waited for only when it has head starts to take; otherwise tasks that start before
 * it is up run the CLI themselves. The post-tasks hook stops it.
 */
import { join } from 'node:path';
import { appendFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { PostTasksExecution, PreTasksExecution } from '@nx/devkit';
import { loadManifest, type Manifest } from '@imagefleet/manifest';
import {
  TASK_SERVER_ENV,
  WRAPPED_ENV,
  finishNxRun,
  parallelOfNxCommand,
  pendingEnv,
  readTaskServerInfo,
  requestHeadStarts,
  settledDigest,
  startNxRun,
  startTaskServer,
  waitForTaskServer,
  writeTaskServerInfo,
  workspacePaths,
  type TaskServer,
} from '@imagefleet/pipeline';
import { signalAllGroupsSync, startDetached } from '@imagefleet/process';
import { renderTable } from '@imagefleet/report';

/** Where the plugin finds the manifest and the CLI, relative to the workspace root. */
const MANIFEST = 'services.manifest.yaml';
const CLI = join('tools', 'cli', 'bin', 'imagefleet.mjs');
/** How long the hook waits for a server process to come up before it gives up its head starts. */
const HEAD_START_WAIT_MS = 5000;

/** The task server living in this process for the current run, when it does. */
let inProcess: { runId: string; server: Promise<TaskServer>; info: string } | null = null;

export const preTasksExecution: PreTasksExecution = async (_options, context) => {
  const args = context.argv.slice(2);
  if (process.env[WRAPPED_ENV]) return; // `imagefleet run` settles, and skips Nx's cache
  // Only this hook says what is settled and where the server is: never a value left in the
  // caller's environment. Every service starts pending, with a value unique to this
  // invocation, so no `push` can come from Nx's cache unless settled below — also when a push
  // task runs only as a dependency (`nx run-many -t image`), or when settling fails.
  process.env[TASK_SERVER_ENV] = '';
  let manifest: Manifest;
  try {
    manifest = await loadManifest(join(context.workspaceRoot, MANIFEST));
  } catch {
    return; // the graph reports it: no service, no task
  }
  const loaded = manifest;
  Object.assign(process.env, pendingEnv(manifest.services.map((s) => s.name), context.id));
  // No more head starts than Nx would run tasks at once.
  const headStartLimit = parallelOfNxCommand(args, context.nxJsonConfiguration.parallel);
  const stateDir = join(workspacePaths(manifest).state, 'task-server');
  const inNx = hooksLiveInNx();
  let headStarted = 0;
  // A server of its own is started as soon as settling finds a service to head-start, so that it
  // is up by the time settling ends; the head starts are sent once it is (below).
  const ready: string[] = [];
  let detached: Promise<unknown> | null = null;
  const startServerProcess = (runId: string, services: string[] | null) =>
    (detached ??= startDetached(
      process.execPath,
      [
        CLI,
        'task-server',
        '--manifest',
        MANIFEST,
        '--run-id',
        runId,
        '--info',
        infoFile(stateDir, runId),
        '--owner-pid',
        String(nxProcess()),
        ...(services ? ['--projects', services.join(',')] : []),
      ],
      { cwd: context.workspaceRoot, logFile: join(stateDir, `${runId}.log`) },
    ));
  try {
    const run = await startNxRun(manifest, args, {
      hookId: context.id,
      env: process.env,
      // A ready service's work starts the moment settling finds it, while the other services are
      // still being verified (at most as many as Nx runs tasks at once).
      onReady: (service: string, started: { runId: string; services: string[] | null }) => {
        if (headStarted++ >= headStartLimit) return;
        if (inNx) void openInProcessServer(loaded, started.runId, started.services, stateDir).then((server) => server.headStart(service));
        else {
          ready.push(service);
          void startServerProcess(started.runId, started.services).catch(() => undefined);
        }
      },
    });
    // Nx passes what the hook sets in process.env on to every task (and into task hashes).
    Object.assign(process.env, run.env);
    if (run.runId && (!run.services || run.services.some((s) => !settledDigest(run.env, s)))) {
      const info = infoFile(stateDir, run.runId);
      if (inNx) {
        await openInProcessServer(manifest, run.runId, run.services, stateDir);
      } else {
        await startServerProcess(run.runId, run.services);
        // Head starts only once the server is up, before any task can start: a task that found
        // no server would run the CLI and do the same work twice.
        const server = ready.length ? await waitForTaskServer(info, HEAD_START_WAIT_MS) : null;
        if (server) await requestHeadStarts(server, ready);
      }
      process.env[TASK_SERVER_ENV] = info;
    }
  } catch (error) {
    // Only speed is lost: every push task then checks the registry itself — and runs its own
    // work, so nothing may go on here.
    if (inProcess) await stopTaskServer(undefined);
    process.stderr.write(`imagefleet: the pre-tasks check did not finish (${(error as Error).message}); every task checks its own image\n`);
  }
};

const infoFile = (stateDir: string, runId: string): string => join(stateDir, `${runId}.info`);

/** The run's task server in this process, started once (its info file written before it is handed out). */
function openInProcessServer(manifest: Manifest, runId: string, covered: string[] | null, stateDir: string): Promise<TaskServer> {
  if (inProcess?.runId === runId) return inProcess.server;
  const log = join(stateDir, `${runId}.log`);
  const note = (text: string) => appendFileSync(log, `${new Date().toISOString()} ${text}\n`, { mode: 0o600 });
  const server = (async () => {
    await mkdir(stateDir, { recursive: true });
    const started = await startTaskServer(manifest, { runId, env: { ...process.env }, covered, note });
    await writeTaskServerInfo(infoFile(stateDir, runId), { port: started.port, token: started.token, pid: process.pid });
    note(`task server for run ${runId} on 127.0.0.1:${started.port}, in the nx process`);
    // Should nx end before its tasks could stop their work (killed, or exiting on a signal),
    // no build or push it started may outlive it.
    process.once('exit', () => signalAllGroupsSync());
    return started;
  })();
  inProcess = { runId, server, info: infoFile(stateDir, runId) };
  return server;
}

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
 * Whether the hooks run in the `nx` process itself, which lives until the run's last task: with
 * plugins in process (NX_ISOLATE_PLUGINS=false) and not under the Nx daemon. Else they run in a
 * plugin worker that ends with the hook, or in the daemon, and the task server needs a process
 * of its own.
 */
function hooksLiveInNx(): boolean {
  return process.env['NX_ISOLATE_PLUGINS'] === 'false' && !(globalThis as { NX_DAEMON?: unknown }).NX_DAEMON;
}

/**
 * The process the server outlives at most briefly: `nx` itself (or its daemon). The hooks run in
 * a plugin worker started by it, or — with NX_ISOLATE_PLUGINS=false — in it.
 */
function nxProcess(): number {
  return process.env['NX_ISOLATE_PLUGINS'] === 'false' ? process.pid : process.ppid;
}

/** The in-process server: abort what is left, wait for its rows. Else SIGTERM to the pid in the info file; a server not yet up stops itself when idle. */
async function stopTaskServer(info: string | undefined): Promise<void> {
  if (inProcess) {
    const { server, info: own } = inProcess;
    inProcess = null;
    await (await server.catch(() => null))?.close();
    await rm(own, { force: true });
    return;
  }
  if (!info) return;
  const pid = (await readTaskServerInfo(info))?.pid;
  if (pid && Number.isInteger(pid) && pid > 0) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      await rm(info, { force: true }); // gone already
    }
  }
}
