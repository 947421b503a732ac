/**
 * distribution's garbage collection for the dev registry that tools/dev-env/up.sh runs: with
 * every push slot of this workspace held (no push can start), stop the registry (SIGTERM to the
 * pid in its pid file, bounded wait), run `docker-registry garbage-collect` on its config through
 * the one child-process runner, start it again, release the slots. The GC must not run while the
 * registry serves: a blob uploaded during the mark phase would be swept.
 *
 * The registry is started again the way up.sh does it (`docker-registry serve config.yml` in its
 * own session, appending to registry.log, pid into registry.pid), not by running up.sh: up.sh
 * also starts (or switches, when `--engine` differs from the running one) the Docker engine and
 * installs packages, which a prune has no business doing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { acquireSlot, isAlive, runCommand, startDetached, systemClock, type Slot } from '@imagefleet/process';
import { isLoopbackHost } from '@imagefleet/registry';
import type { Manifest } from '@imagefleet/manifest';

export interface GcTarget {
  /** distribution's config.yml: GC sweeps its `storage.filesystem.rootdirectory`. */
  configFile: string;
  /** The running registry's pid file. */
  pidFile: string;
  /** @default 'docker-registry' */
  registryBin: string;
  /** Start the registry again after GC and wait until it answers (bounded). */
  restart(): Promise<void>;
}

export type GcOutcome = { status: 'collected' | 'skipped' | 'failed'; detail: string };

interface RegistryConfigFile {
  storage?: { filesystem?: { rootdirectory?: string } };
  http?: { addr?: string };
}

export function readRegistryConfig(configFile: string): { rootDirectory: string; addr: string } {
  const config = parse(readFileSync(configFile, 'utf8')) as RegistryConfigFile | null;
  const rootDirectory = config?.storage?.filesystem?.rootdirectory;
  const addr = config?.http?.addr;
  if (!rootDirectory || !addr)
    throw new Error(
      `${configFile}: no storage.filesystem.rootdirectory or http.addr: not a filesystem registry we can collect`,
    );
  return { rootDirectory, addr };
}

const portOf = (hostPort: string) => hostPort.match(/:(\d+)$/)?.[1];

/**
 * The dev registry of up.sh, when `registry.pushHost` is it: `$IMAGEFLEET_STATE_DIR` (default
 * `<root>/.imagefleet`) has `registry/config.yml` and pushHost is loopback on its port.
 */
export function devRegistryGcTarget(
  manifest: Manifest,
  env: NodeJS.ProcessEnv,
): { target: GcTarget } | { skip: string } {
  const state = env.IMAGEFLEET_STATE_DIR ?? join(manifest.root, '.imagefleet');
  const dir = join(state, 'registry');
  const configFile = join(dir, 'config.yml');
  const { pushHost } = manifest.registry;
  if (!existsSync(configFile))
    return {
      skip: `no dev registry here (${configFile} is absent): run distribution's garbage-collect where ${pushHost} runs`,
    };
  const { addr } = readRegistryConfig(configFile);
  if (!isLoopbackHost(pushHost) || portOf(pushHost) !== portOf(addr)) {
    return {
      skip: `registry.pushHost ${pushHost} is not the dev registry (${addr}): run distribution's garbage-collect where ${pushHost} runs`,
    };
  }
  const registryBin = 'docker-registry';
  const pidFile = join(dir, 'registry.pid');
  const restart = async () => {
    const pid = await startDetached(registryBin, ['serve', configFile], { logFile: join(dir, 'registry.log') });
    await writeFile(pidFile, `${pid}\n`);
    await waitAnswering(`http://${addr}/v2/`, pid);
  };
  return { target: { configFile, pidFile, registryBin, restart } };
}

/** Poll `GET url` until it answers 200/401, the process dies, or `timeoutMs` passes. */
export async function waitAnswering(url: string, pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) throw new Error(`the registry (pid ${pid}) exited while starting; see its log`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await systemClock.sleep(100);
  }
  throw new Error(`the registry (pid ${pid}) did not answer GET ${url} within ${timeoutMs / 1000} s`);
}

/** The pid in `pidFile` when it is a live docker-registry (a recycled pid of another program is not ours). */
export function livePid(pidFile: string, registryBin: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  const comm = (() => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      return undefined;
    }
  })();
  return comm === undefined || comm === registryBin.split('/').at(-1)!.slice(0, 15) ? pid : undefined;
}

async function stopPid(pid: number, graceMs: number): Promise<void> {
  process.kill(pid, 'SIGTERM');
  for (const [signal, waitMs] of [
    ['SIGKILL', graceMs],
    [undefined, 5000],
  ] as const) {
    const deadline = Date.now() + waitMs;
    while (isAlive(pid) && Date.now() < deadline) await systemClock.sleep(50);
    if (!isAlive(pid)) return;
    if (signal) process.kill(pid, signal);
  }
  throw new Error(`the registry (pid ${pid}) survived SIGKILL`);
}

export interface CollectOptions extends SlotOptions {
  /** Decided once the registry is down (nothing changes its storage any more). */
  deleteUntagged(): Promise<{ deleteUntagged: boolean; why: string }>;
  /** GC bound. @default 600000 */
  gcTimeoutMs?: number;
}

/** What holding every push slot of the workspace needs. */
export interface SlotOptions {
  slotsDir: string;
  slots: number;
  /** Give up waiting for running pushes after this long (GC skipped). @default 600000 */
  slotWaitMs?: number;
  say(line: string): void;
}

/**
 * Run `collect` with every push slot of this workspace held, so no push of ours starts while
 * garbage is collected; skipped (a value) when pushes keep running past `slotWaitMs`.
 */
export async function withPushesHeld(opts: SlotOptions, collect: () => Promise<GcOutcome>): Promise<GcOutcome> {
  const held: Slot[] = [];
  const signal = AbortSignal.timeout(opts.slotWaitMs ?? 600_000);
  try {
    try {
      for (let i = 0; i < opts.slots; i++) {
        held.push(
          await acquireSlot(opts.slotsDir, opts.slots, {
            signal,
            onWait: (pids) => opts.say(`waiting for running pushes to finish (pids ${pids.join(', ')})`),
          }),
        );
      }
    } catch (error) {
      if (signal.aborted)
        return {
          status: 'skipped',
          detail: `pushes still running after ${(opts.slotWaitMs ?? 600_000) / 1000} s: garbage collection skipped, run prune again`,
        };
      throw error;
    }
    return await collect();
  } finally {
    await Promise.all(held.map((s) => s.release()));
  }
}

export function collectGarbage(target: GcTarget, opts: CollectOptions): Promise<GcOutcome> {
  return withPushesHeld(opts, async () => {
    const pid = livePid(target.pidFile, target.registryBin);
    if (pid === undefined)
      return {
        status: 'skipped',
        detail: `no live registry pid in ${target.pidFile} (not started by dev-env?): garbage collection skipped`,
      };
    opts.say(`pushes held (${opts.slots} slot(s)); stopping the registry (pid ${pid}) for garbage collection`);
    await stopPid(pid, 10_000);
    let outcome: GcOutcome;
    try {
      const { deleteUntagged, why } = await opts.deleteUntagged();
      opts.say(`garbage-collect --delete-untagged=${deleteUntagged}: ${why}`);
      const args = ['garbage-collect', `--delete-untagged=${deleteUntagged}`, target.configFile];
      const r = await runCommand(target.registryBin, args, { timeoutMs: opts.gcTimeoutMs ?? 600_000 });
      const summary =
        `${r.stdout}\n${r.stderr}`
          .split('\n')
          .filter((l) => /blobs marked/.test(l))
          .at(-1) ?? '';
      const because = `(--delete-untagged=${deleteUntagged}: ${why})`;
      outcome = r.ok
        ? { status: 'collected', detail: `${summary.trim() || 'done'} ${because}` }
        : { status: 'failed', detail: `${r.command}: ${r.reason} ${because}` };
    } finally {
      await target.restart(); // started again whatever the GC did
      opts.say('registry started again');
    }
    return outcome;
  });
}
