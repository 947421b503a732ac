/**
 * The run's task server: one warm process runs the `push` tasks Nx starts, so a task does not
 * pay for starting Node and loading the CLI (~0.3 s of CPU each, more under a busy build). It
 * lives in Nx's own process when the plugin's hooks do (plugins in process, no daemon), else in
 * a process of its own (tools/cli/src/task-server.ts); a task reaches it from
 * tools/cli/bin/imagefleet-task.sh over loopback TCP.
 *
 * Protocol, one connection per task: the client sends `<token> push <service>\n` (the token is
 * in a 0600 info file, so only the workspace's user can ask for work), may later send `abort\n`
 * (Ctrl-C); the server sends the task's terminal lines, then `\x01exit <code>\n`. A connection
 * that closes early aborts its task, which records an `interrupted` row as usual.
 *
 * A head start: the pre-tasks hook may start a service's task before Nx asks for it (a changed
 * service whose bases are all settled: Nx will run it, and nothing it waits for is left) — in
 * process, or over a connection of its own: `<token> start <service>\n`, answered at once with
 * `\x01exit 0`. Its lines are kept until its Nx task connects, which then gets them and the exit
 * code as if it had started the work itself.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import type { Manifest } from '@imagefleet/manifest';
import { serviceContext } from './context.js';
import { withTerminal } from './console.js';
import { writeFileAtomic } from '@imagefleet/report';
import { RUN_ID_ENV } from './run-env.js';
import { runServiceTask } from './task.js';

export const EXIT_MARK = '\u0001exit ';

export interface TaskServerOptions {
  runId: string;
  env: NodeJS.ProcessEnv;
  /** The services the run covers (null: unknown), for the rows of never-started ones after an interrupt. */
  covered: string[] | null;
  /** Where to say which tasks ran and how they ended. */
  note: (text: string) => void;
}

export interface TaskServer {
  port: number;
  token: string;
  /** Tasks started and not finished (head starts included). */
  running(): number;
  /** When a task last started or finished (ms since epoch). */
  lastActive(): number;
  /** Start `service`'s task now, before Nx asks for it. */
  headStart(service: string): void;
  /** Abort every task still running, wait for their rows, stop listening. */
  close(): Promise<void>;
}

/** One service's task in this server: its lines so far, who hears the rest, how it ended. */
interface Job {
  text: string[];
  sink: ((text: string) => void) | null;
  claimed: boolean;
  controller: AbortController;
  done: Promise<number>;
}

export async function startTaskServer(manifest: Manifest, opts: TaskServerOptions): Promise<TaskServer> {
  const token = randomBytes(16).toString('hex');
  const env = { ...opts.env, [RUN_ID_ENV]: opts.runId };
  const jobs = new Map<string, Job>();
  const unfinished = new Set<Job>();
  let lastActive = Date.now();

  const startJob = (name: string, headStart: boolean): Job => {
    const service = manifest.services.find((s) => s.name === name)!;
    const controller = new AbortController();
    const job: Job = { text: [], sink: null, claimed: false, controller, done: Promise.resolve(0) };
    const write = (text: string) => (job.sink ? job.sink(text) : job.text.push(text));
    const ctx = serviceContext(manifest, service, { env, runId: opts.runId, signal: controller.signal, covered: opts.covered });
    opts.note(`${name}: push started${headStart ? ' (head start)' : ''}`);
    unfinished.add(job);
    lastActive = Date.now();
    job.done = withTerminal(write, () => runServiceTask(ctx)).then(
      (outcome) => (controller.signal.aborted ? 130 : outcome.ok ? 0 : 1),
      (error: unknown) => {
        write(`imagefleet: ${(error as Error).message}\n`);
        return 1;
      },
    );
    void job.done.then((code) => {
      opts.note(`${name}: exit ${code}`);
      unfinished.delete(job);
      lastActive = Date.now();
    });
    jobs.set(name, job);
    return job;
  };
  /** At most one head start per service, and only for a service of the manifest. */
  const headStart = (name: string): void => {
    if (!jobs.has(name) && manifest.services.some((s) => s.name === name)) startJob(name, true);
  };

  const server: Server = createServer((socket: Socket) => {
    socket.setEncoding('utf8');
    let pending = '';
    let job: Job | null = null;
    const reply = (text: string) => {
      if (!socket.destroyed) socket.write(text);
    };
    const attach = (line: string) => {
      const [given, command, name = ''] = line.split(' ');
      const known = manifest.services.some((s) => s.name === name);
      if (given !== token || (command !== 'push' && command !== 'start') || !known) {
        reply(`imagefleet: task server: refused "${command ?? ''} ${name}"\n`);
        socket.end(`${EXIT_MARK}2\n`);
        return;
      }
      if (command === 'start') {
        headStart(name);
        socket.end(`${EXIT_MARK}0\n`);
        return;
      }
      const early = jobs.get(name);
      job = early && !early.claimed ? early : startJob(name, false);
      job.claimed = true;
      for (const text of job.text.splice(0)) reply(text);
      job.sink = reply;
      void job.done.then((code) => {
        if (!socket.destroyed) socket.end(`${EXIT_MARK}${code}\n`);
      });
    };
    socket.on('data', (chunk: string) => {
      pending += chunk;
      for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 1);
        if (!job) attach(line);
        else if (line === 'abort') job.controller.abort(new Error('interrupted'));
      }
    });
    // The task's process went away (Nx killed it): stop its build or push, record the row.
    socket.on('close', () => job?.controller.abort(new Error('interrupted: the task was stopped')));
    socket.on('error', () => undefined);
  });
  // Never what keeps a process alive: in Nx's own process, Nx decides when the run is over.
  server.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('task server: no TCP address');

  return {
    port: address.port,
    token,
    running: () => unfinished.size,
    lastActive: () => lastActive,
    headStart,
    close: async () => {
      server.close();
      for (const job of unfinished) job.controller.abort(new Error('interrupted: the run ended before this task'));
      await Promise.all([...unfinished].map((j) => j.done));
    },
  };
}

/** Where a server is: the info file's `<port> <token> <pid>` (also read by tools/cli/bin/imagefleet-task.sh). */
export interface TaskServerInfo {
  port: number;
  token: string;
  pid: number;
}

/** Write the info file (0600: the token is what lets a task ask for work). */
export async function writeTaskServerInfo(infoFile: string, info: TaskServerInfo): Promise<void> {
  await writeFileAtomic(infoFile, `${info.port} ${info.token} ${info.pid}\n`, 0o600);
}

/** The info file's content; null while it is not there (or not whole). */
export async function readTaskServerInfo(infoFile: string): Promise<TaskServerInfo | null> {
  const [port, token, pid] = (await readFile(infoFile, 'utf8').catch(() => '')).trim().split(' ');
  return port && token && pid ? { port: Number(port), token, pid: Number(pid) } : null;
}

/** A server in a process of its own, once its info file is there (null: not within `timeoutMs`). */
export async function waitForTaskServer(infoFile: string, timeoutMs: number): Promise<TaskServerInfo | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await readTaskServerInfo(infoFile);
    if (info || Date.now() > deadline) return info;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Ask a running server to start these services' tasks now (`start`); false when it did not take one. */
export async function requestHeadStarts(server: { port: number; token: string }, services: string[]): Promise<boolean> {
  const one = (service: string) =>
    new Promise<boolean>((resolve) => {
      let answer = '';
      const socket = connect(server.port, '127.0.0.1', () => socket.end(`${server.token} start ${service}\n`));
      socket.setEncoding('utf8');
      socket.setTimeout(2000, () => socket.destroy());
      socket.on('data', (chunk: string) => (answer += chunk));
      socket.on('error', () => resolve(false));
      socket.on('close', () => resolve(answer.includes(`${EXIT_MARK}0`)));
    });
  return (await Promise.all(services.map(one))).every(Boolean);
}
