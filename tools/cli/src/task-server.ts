/**
 * The run's task server: one warm process that runs the `push` tasks Nx starts, so a task does
 * not pay for starting Node and loading the CLI (~0.3 s of CPU each, more under a busy build)
 * and builds start as soon as Nx hands out a slot. Started by the Nx plugin's pre-tasks hook
 * for a push run; a task reaches it from tools/cli/bin/imagefleet-task.sh over loopback TCP.
 *
 * Protocol, one connection per task: the client sends `<token> push <service>\n` (the token is
 * in the server's 0600 info file, so only the workspace's user can ask for work), may later send
 * `abort\n` (Ctrl-C); the server sends the task's terminal lines, then `\x01exit <code>\n`. A
 * connection that closes early aborts its task, which records an `interrupted` row as usual.
 * The server stops itself when no task has been connected for `idleSeconds`, or when the
 * process that started it is gone and no task is running.
 */
import { createServer, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { loadManifest } from '@imagefleet/manifest';
import { RUN_ID_ENV, serviceContext, runServiceTask, withTerminal } from '@imagefleet/pipeline';
import { isAlive } from '@imagefleet/process';
import { writeFileAtomic } from '@imagefleet/report';

export const EXIT_MARK = '\u0001exit ';

export interface TaskServerOptions {
  runId: string;
  /** Where to write `<port> <token> <pid>`. */
  infoFile: string;
  /** The services the run covers (null: unknown), for the rows of never-started ones after an interrupt. */
  covered: string[] | null;
  /** Stop when this pid is gone and nothing runs (the nx process, when known). */
  ownerPid?: number;
  idleSeconds?: number;
}

export async function taskServerCommand(manifestFile: string, opts: TaskServerOptions): Promise<number> {
  const manifest = await loadManifest(manifestFile);
  const token = randomBytes(16).toString('hex');
  const env = { ...process.env, [RUN_ID_ENV]: opts.runId };
  const running = new Set<Socket>();
  let lastActive = Date.now();

  const server = createServer((socket) => {
    socket.setEncoding('utf8');
    const controller = new AbortController();
    let pending = '';
    let started = false;
    const reply = (text: string) => {
      if (!socket.destroyed) socket.write(text);
    };
    let name = '';
    const finish = (code: number) => {
      if (started) note(`${name}: exit ${code}`);
      running.delete(socket);
      lastActive = Date.now();
      if (!socket.destroyed) socket.end(`${EXIT_MARK}${code}\n`);
    };
    const start = (line: string) => {
      const [given, command, requested] = line.split(' ');
      name = requested ?? '';
      const service = manifest.services.find((s) => s.name === name);
      if (given !== token || command !== 'push' || !service) {
        reply(`imagefleet: task server: refused "${command ?? ''} ${name ?? ''}"\n`);
        finish(2);
        return;
      }
      started = true;
      running.add(socket);
      note(`${name}: ${command} started`);
      const ctx = serviceContext(manifest, service, { env, runId: opts.runId, signal: controller.signal, covered: opts.covered });
      withTerminal(reply, () => runServiceTask(ctx)).then(
        (outcome) => finish(controller.signal.aborted ? 130 : outcome.ok ? 0 : 1),
        (error: unknown) => {
          reply(`imagefleet: ${(error as Error).message}\n`);
          finish(1);
        },
      );
    };
    socket.on('data', (chunk: string) => {
      pending += chunk;
      for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 1);
        if (!started) start(line);
        else if (line === 'abort') controller.abort(new Error('interrupted'));
      }
    });
    // The task's process went away (Nx killed it): stop its build or push, record the row.
    socket.on('close', () => controller.abort(new Error('interrupted: the task was stopped')));
    socket.on('error', () => undefined);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('task server: no TCP address');
  await writeFileAtomic(opts.infoFile, `${address.port} ${token} ${process.pid}\n`, 0o600);
  note(`task server for run ${opts.runId} on 127.0.0.1:${address.port}`);

  const idleMs = (opts.idleSeconds ?? 30) * 1000;
  let stopping = false;
  // SIGTERM (the post-tasks hook: every task has ended): abort anything still running, let it
  // record its row, then stop.
  process.once('SIGTERM', () => {
    stopping = true;
    for (const socket of running) socket.destroy();
  });
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (running.size) return;
      if (stopping || Date.now() - lastActive > idleMs || (opts.ownerPid && !isAlive(opts.ownerPid))) {
        clearInterval(timer);
        server.close();
        resolve();
      }
    }, 200);
  });
  await rm(opts.infoFile, { force: true });
  note('stopped');
  return 0;
}

/** The server's own log (its stdout: the file the hook gave it): which tasks it ran, how they ended. */
function note(text: string): void {
  process.stdout.write(`${new Date().toISOString()} ${text}\n`);
}
