/**
 * `imagefleet task-server`: the run's task server (libs/pipeline/src/task-server.ts) in a
 * process of its own, for when the plugin's hooks cannot keep it in Nx's process (plugins
 * isolated in workers that end with the hook, or the Nx daemon). Started by the pre-tasks hook,
 * in a session of its own. It writes `<port> <token> <pid>` to its 0600 info file and stops
 * itself on SIGTERM (the post-tasks hook), when no task has been connected for `idleSeconds`,
 * or when the process that started it is gone and no task is running.
 */
import { rm } from 'node:fs/promises';
import { loadManifest } from '@imagefleet/manifest';
import { startTaskServer, writeTaskServerInfo } from '@imagefleet/pipeline';
import { isAlive } from '@imagefleet/process';

export { EXIT_MARK } from '@imagefleet/pipeline';

export interface TaskServerCommandOptions {
  runId: string;
  /** Where to write `<port> <token> <pid>`. */
  infoFile: string;
  /** The services the run covers (null: unknown), for the rows of never-started ones after an interrupt. */
  covered: string[] | null;
  /** Stop when this pid is gone and nothing runs (the nx process, when known). */
  ownerPid?: number;
  idleSeconds?: number;
}

export async function taskServerCommand(manifestFile: string, opts: TaskServerCommandOptions): Promise<number> {
  const manifest = await loadManifest(manifestFile);
  const server = await startTaskServer(manifest, { runId: opts.runId, env: process.env, covered: opts.covered, note });
  await writeTaskServerInfo(opts.infoFile, { port: server.port, token: server.token, pid: process.pid });
  note(`task server for run ${opts.runId} on 127.0.0.1:${server.port}`);

  const idleMs = (opts.idleSeconds ?? 30) * 1000;
  let stopping = false;
  // SIGTERM (the post-tasks hook: every task has ended): abort anything still running, let it
  // record its row, then stop.
  process.once('SIGTERM', () => {
    stopping = true;
  });
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (server.running() && !stopping) return;
      if (stopping || Date.now() - server.lastActive() > idleMs || (opts.ownerPid && !isAlive(opts.ownerPid))) {
        clearInterval(timer);
        resolve();
      }
    }, 200);
  });
  await server.close();
  await rm(opts.infoFile, { force: true });
  note('stopped');
  return 0;
}

/** The server's own log (its stdout: the file the hook gave it): which tasks it ran, how they ended. */
function note(text: string): void {
  process.stdout.write(`${new Date().toISOString()} ${text}\n`);
}
