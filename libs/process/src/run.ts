/**
 * The one way imagefleet runs a child process: an argument array (never a shell string),
 * output split into lines, handed raw to parsers (`onRawLine`, `keepRaw`) and redacted for
 * everything that is shown or written (`onLine`, `stdout`, `stderr`, `reason`), a stall watch
 * (no output for `stallMs` → the whole process group is killed), an overall timeout, and a
 * result of one shape whatever happened. On Linux the child also dies with this process, even
 * when this process is killed with SIGKILL (`setpriv --pdeathsig`).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { killGroup, trackGroup } from './children.js';
import { systemClock, type Clock } from './clock.js';
import type { Redactor } from './redact.js';

export interface RunOptions {
  cwd?: string;
  /** Added to the parent's environment (secret values travel only this way, never as arguments). */
  env?: Record<string, string | undefined>;
  /** Every output line, already redacted: for logs and the terminal. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /**
   * Every output line exactly as the child printed it, NOT redacted: for parsers only (a pushed
   * digest, an image id). Masking first would break parsing when a secret value happens to occur
   * in the line (`sha256:` with a secret `a`). Never log, show or throw what this receives.
   */
  onRawLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Also return the raw (unredacted) output as `result.raw`, for parsers. @default false */
  keepRaw?: boolean;
  /**
   * Kill the child with SIGKILL when this process dies, however it dies (`kill -9` included),
   * by starting it through `setpriv --pdeathsig SIGKILL` where util-linux's setpriv exists.
   * @default true
   */
  dieWithParent?: boolean;
  /** Kill the process group when it prints nothing for this long. */
  stallMs?: number;
  /** Kill the process group after this long in total. */
  timeoutMs?: number;
  signal?: AbortSignal;
  redact?: Redactor;
  input?: string;
  /** After SIGTERM, how long the group gets to clean up before SIGKILL. @default 2000 */
  killGraceMs?: number;
  /** What the stall watch, the timeout and `durationMs` go by. @default systemClock */
  clock?: Clock;
}

export interface RunResult {
  /** The command line as a person would type it, redacted. */
  command: string;
  exitCode: number | null;
  signal: string | null;
  ok: boolean;
  timedOut: boolean;
  stalled: boolean;
  aborted: boolean;
  durationMs: number;
  /** Redacted. */
  stdout: string;
  /** Redacted. */
  stderr: string;
  /** One line saying why it failed ('' when ok), redacted. */
  reason: string;
  /** The output as printed, NOT redacted: only with `keepRaw: true`, for parsers only. */
  raw?: { stdout: string; stderr: string };
}

const KILL_GRACE_MS = 2000;

export async function runCommand(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const redact = opts.redact ?? ((s: string) => s);
  const command = redact([file, ...args].map(quoteForDisplay).join(' '));
  const clock = opts.clock ?? systemClock;
  const started = clock.now();
  const out: string[] = [];
  const err: string[] = [];
  const rawOut: string[] = [];
  const rawErr: string[] = [];
  const wrapper = opts.dieWithParent === false ? undefined : parentDeathWrapper();
  const [spawnFile, spawnArgs]: [string, readonly string[]] = wrapper
    ? [wrapper[0], [...wrapper.slice(1), file, ...args]]
    : [file, args];
  let stalled = false;
  let timedOut = false;
  let aborted = false;

  let child;
  try {
    child = execa(spawnFile, spawnArgs, {
      cwd: opts.cwd,
      env: opts.env,
      extendEnv: true,
      detached: true, // own process group: a kill reaches grandchildren too
      reject: false,
      stripFinalNewline: true,
      buffer: false,
      input: opts.input,
      stdin: opts.input === undefined ? 'ignore' : 'pipe',
    });
  } catch (error) {
    return failure(command, clock.now() - started, `could not start ${file}: ${(error as Error).message}`);
  }
  const pid = child.pid;
  const untrack = pid ? trackGroup(pid) : () => undefined;
  const kill = () => {
    if (pid) {
      killGroup(pid, 'SIGTERM');
      // The real clock, unref'd: a group that ignores SIGTERM must not keep this process alive.
      setTimeout(() => killGroup(pid, 'SIGKILL'), opts.killGraceMs ?? KILL_GRACE_MS).unref();
    }
  };

  let cancelStall = () => {};
  const armStall = () => {
    if (!opts.stallMs) return;
    cancelStall();
    cancelStall = clock.after(opts.stallMs, () => {
      stalled = true;
      kill();
    });
  };
  armStall();
  const cancelTimeout = opts.timeoutMs
    ? clock.after(opts.timeoutMs, () => {
        timedOut = true;
        kill();
      })
    : () => {};
  const onAbort = () => {
    aborted = true;
    kill();
  };
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const pump = async (
    stream: NodeJS.ReadableStream | null | undefined,
    name: 'stdout' | 'stderr',
    sink: string[],
    rawSink: string[],
  ) => {
    if (!stream) return;
    let pending = '';
    for await (const chunk of stream) {
      armStall();
      pending += chunk.toString();
      // docker's progress output uses \r within a line; treat it as a line break.
      const parts = pending.split(/\r?\n|\r/);
      pending = parts.pop() ?? '';
      for (const raw of parts) emit(raw);
    }
    if (pending) emit(pending);
    function emit(raw: string) {
      // Parsers first, on the raw line; then the redacted line for whatever shows or keeps it.
      if (opts.keepRaw) rawSink.push(raw);
      opts.onRawLine?.(raw, name);
      const line = redact(raw);
      sink.push(line);
      opts.onLine?.(line, name);
    }
  };

  const [result] = await Promise.all([
    child,
    pump(child.stdout, 'stdout', out, rawOut),
    pump(child.stderr, 'stderr', err, rawErr),
  ]);
  cancelStall();
  cancelTimeout();
  opts.signal?.removeEventListener('abort', onAbort);
  untrack();

  const exitCode = typeof result.exitCode === 'number' ? result.exitCode : null;
  const signal = result.signal ?? null;
  const ok = exitCode === 0 && !stalled && !timedOut && !aborted;
  const stderr = err.join('\n');
  const stdout = out.join('\n');
  let reason = '';
  if (stalled) reason = `no output for ${Math.round((opts.stallMs ?? 0) / 1000)} s: stalled, killed`;
  else if (timedOut) reason = `still running after ${Math.round((opts.timeoutMs ?? 0) / 1000)} s: timed out, killed`;
  else if (aborted) reason = 'interrupted';
  else if (!ok)
    reason = lastMeaningfulLine(stderr) || lastMeaningfulLine(stdout) || `exited with ${exitCode ?? signal}`;
  if (result.failed && result.code === 'ENOENT') reason = `${file}: command not found`;
  // Through setpriv, a missing program is setpriv's exit 127 ("failed to execute …: No such file").
  if (wrapper && exitCode === 127 && /^setpriv: failed to execute .*No such file or directory/m.test(stderr))
    reason = `${file}: command not found`;

  return {
    command,
    exitCode,
    signal,
    ok,
    timedOut,
    stalled,
    aborted,
    durationMs: clock.now() - started,
    stdout,
    stderr,
    reason,
    ...(opts.keepRaw ? { raw: { stdout: rawOut.join('\n'), stderr: rawErr.join('\n') } } : {}),
  };
}

const SETPRIV_PATHS = ['/usr/bin/setpriv', '/bin/setpriv'];
let setprivPath: string | null | undefined;

/**
 * `setpriv --pdeathsig SIGKILL --` when util-linux's setpriv is installed (Linux only), else
 * undefined. It sets PR_SET_PDEATHSIG and then execs the command, so the command is killed when
 * this process dies, even by SIGKILL, when no handler of ours can run. Probed once per process
 * (module-level, and safe: whether a system binary exists decides only whether the wrapper is
 * used, never what a run builds or reports).
 */
export function parentDeathWrapper(): readonly [string, ...string[]] | undefined {
  if (setprivPath === undefined) {
    setprivPath = process.platform === 'linux' ? (SETPRIV_PATHS.find((p) => existsSync(p)) ?? null) : null;
  }
  return setprivPath ? [setprivPath, '--pdeathsig', 'SIGKILL', '--'] : undefined;
}

function failure(command: string, durationMs: number, reason: string): RunResult {
  return {
    command,
    exitCode: null,
    signal: null,
    ok: false,
    timedOut: false,
    stalled: false,
    aborted: false,
    durationMs,
    stdout: '',
    stderr: '',
    reason,
  };
}

/** The last line that says something: what a person looks at first when a command fails. */
export function lastMeaningfulLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.at(-1) ?? '';
}

function quoteForDisplay(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Start a long-lived helper in the background (its own session, output to `logFile`) and return
 * its pid without waiting: the caller's process may exit while it runs (prune's garbage
 * collection restarts the dev registry this way, and it serves on after the prune is over).
 */
export async function startDetached(
  file: string,
  args: readonly string[],
  opts: { cwd?: string; env?: Record<string, string | undefined>; logFile: string },
): Promise<number> {
  await mkdir(dirname(opts.logFile), { recursive: true });
  // node:child_process, not execa: the output goes straight to the log file's descriptor, so
  // nothing in this process has to stay alive to carry it.
  const log = openSync(opts.logFile, 'a', 0o600);
  try {
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      detached: true,
      stdio: ['ignore', log, log],
    });
    child.on('error', () => undefined);
    child.unref();
    if (!child.pid) throw new Error(`could not start ${file}`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}
