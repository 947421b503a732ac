/**
 * Cross-process locks on the local file system, for the Nx tasks of one run (one OS process
 * per service): `withFileLock` (a mutex, e.g. around the shared summary) and `acquireSlot`
 * (a counting semaphore, e.g. "at most 2 pushes at once across every task").
 *
 * A lock is a file created with `open(path, 'wx')` (atomic create-if-absent) holding
 * `{ pid, hostname, acquiredAt, token }`. A holder that died without cleaning up is detected
 * (its pid is gone or a zombie) and its file reclaimed; a file that stays empty or unreadable
 * for more than {@link STALE_UNREADABLE_MS} is a holder that died between create and write.
 * A holder on another host cannot be checked and is always treated as alive.
 */
import { randomInt } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { inspect, reclaim, releaseFile, tryCreate, type LockHolder } from './lock-file.js';

export { STALE_UNREADABLE_MS, type LockHolder } from './lock-file.js';

export interface FileLockOptions {
  /** Give up (with {@link LockTimeoutError}) after waiting this long. @default 60000 */
  timeoutMs?: number;
  /** Time between attempts while the lock is held. @default 25 */
  pollMs?: number;
}

export interface SlotOptions {
  /** Stop waiting; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Time between rounds while every slot is taken. @default 100 */
  pollMs?: number;
  /** Called when a wait starts and whenever the set of holders changes, with their pids. */
  onWait?: (holders: number[]) => void;
}

export interface Slot {
  /** Index of the slot taken, `0 <= slot < slots`. */
  slot: number;
  /** Give the slot back. Calling it again does nothing. */
  release(): Promise<void>;
}

/** `withFileLock` waited `timeoutMs` and the lock was still held. */
export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder | undefined,
    readonly waitedMs: number,
  ) {
    const who = holder ? `pid ${holder.pid} on ${holder.hostname} since ${holder.acquiredAt}` : 'an unknown process';
    super(
      `Timed out after ${waitedMs} ms waiting for lock ${lockPath}, held by ${who}. ` +
        `If that process is gone (e.g. on another host), delete ${lockPath} and retry.`,
    );
  }
}

/** Run `fn` while holding the exclusive lock `lockPath`; released in `finally`. */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, opts: FileLockOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const pollMs = opts.pollMs ?? 25;
  checkNumber('timeoutMs', timeoutMs, 0);
  checkNumber('pollMs', pollMs, 1);
  await mkdir(dirname(lockPath), { recursive: true });
  const started = Date.now();
  let mine: LockHolder | undefined;
  for (;;) {
    mine = await tryCreate(lockPath);
    if (mine) break;
    const state = await inspect(lockPath);
    if (state.kind === 'free') continue; // released meanwhile: try again at once
    if (state.kind === 'stale' && (await reclaim(lockPath, state.raw))) continue;
    const waited = Date.now() - started;
    if (waited >= timeoutMs) {
      throw new LockTimeoutError(lockPath, state.kind === 'held' ? state.holder : undefined, waited);
    }
    await pause(jitter(pollMs));
  }
  try {
    return await fn();
  } finally {
    await releaseFile(lockPath, mine.token);
  }
}

/**
 * Take one of `slots` slot files `dir/slot-<i>.lock`, waiting until one is free. Each round
 * starts at a random index so waiters do not all queue on slot 0.
 */
export async function acquireSlot(dir: string, slots: number, opts: SlotOptions = {}): Promise<Slot> {
  if (!Number.isInteger(slots) || slots < 1) {
    throw new TypeError(`acquireSlot: slots must be a positive integer, got ${String(slots)}`);
  }
  const pollMs = opts.pollMs ?? 100;
  checkNumber('pollMs', pollMs, 1);
  const { signal, onWait } = opts;
  await mkdir(dir, { recursive: true });
  let reported: string | undefined;
  for (;;) {
    signal?.throwIfAborted();
    const start = randomInt(slots);
    const holders: number[] = [];
    for (let k = 0; k < slots; k++) {
      const slot = (start + k) % slots;
      const path = join(dir, `slot-${slot}.lock`);
      let mine = await tryCreate(path);
      if (!mine) {
        const state = await inspect(path);
        if (state.kind === 'held' && state.holder) holders.push(state.holder.pid);
        if (state.kind === 'free' || (state.kind === 'stale' && (await reclaim(path, state.raw)))) {
          mine = await tryCreate(path);
        }
      }
      if (mine) return slotHandle(path, slot, mine.token);
    }
    const key = [...holders].sort((a, b) => a - b).join(',');
    if (key !== reported) {
      reported = key;
      onWait?.(holders);
    }
    await pause(jitter(pollMs), signal);
  }
}

function slotHandle(path: string, slot: number, token: string): Slot {
  let released: Promise<void> | undefined;
  return {
    slot,
    release: () => (released ??= releaseFile(path, token)),
  };
}

// ---- small helpers ----------------------------------------------------------------------

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** ±50 %, so processes polling the same file drift apart instead of colliding in step. */
function jitter(ms: number): number {
  return Math.max(1, Math.round(ms * (0.5 + Math.random())));
}

function checkNumber(option: string, value: number, min: number): void {
  if (!Number.isFinite(value) || value < min) {
    throw new TypeError(`${option} must be a number >= ${min}, got ${String(value)}`);
  }
}
