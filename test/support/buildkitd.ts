/**
 * A BuildKit daemon of the test's own: OCI worker (runc), a temp `--root`, a free loopback TCP
 * port and a unix socket, the given `buildkitd.toml`. Ready when `buildctl debug workers`
 * answers (bounded); stopped by its PID, its root removed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { freePort } from './registry-server.js';

export interface StartBuildkitdOptions {
  buildkitd: string;
  buildctl: string;
  /** Extra `buildkitd.toml` text (registry sections); the worker section is always there. */
  toml?: string;
  /** Reuse this root (a warm cache) instead of a fresh one; not removed by `stop()`. */
  root?: string;
}

export interface RunningBuildkitd {
  /** `tcp://127.0.0.1:<port>` */
  addr: string;
  socket: string;
  root: string;
  log(): string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

export async function startBuildkitd(opts: StartBuildkitdOptions): Promise<RunningBuildkitd> {
  const dir = mkdtempSync(join(tmpdir(), 'imagefleet-buildkitd-'));
  const root = opts.root ?? join(dir, 'root');
  const port = await freePort();
  const addr = `tcp://127.0.0.1:${port}`;
  const socket = join(dir, 'buildkitd.sock');
  const config = join(dir, 'buildkitd.toml');
  writeFileSync(config, `[worker.oci]\n  enabled = true\n[worker.containerd]\n  enabled = false\n${opts.toml ?? ''}\n`);
  const logFile = join(dir, 'log');
  const out = openSync(logFile, 'a');
  const child = spawn(
    opts.buildkitd,
    ['--config', config, '--root', root, '--addr', addr, '--addr', `unix://${socket}`],
    { detached: true, stdio: ['ignore', out, out] },
  );
  child.unref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => readFileSync(logFile, 'utf8');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const r = await execa(opts.buildctl, ['--addr', addr, 'debug', 'workers'], { reject: false, timeout: 5000 });
    if (r.exitCode === 0) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      const text = log();
      await stop();
      throw new Error(`buildkitd did not answer at ${addr}: ${text.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { addr, socket, root, log, stop };
}
