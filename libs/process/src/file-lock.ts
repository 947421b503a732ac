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
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { dirname, join } from 'node:path';

/** What a lock file holds. `token` tells two holders in the same process apart. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** ISO 8601. */
  acquiredAt: string;
  token: string;
}

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

/** An empty or unparsable lock file older than this is a holder that died mid-create. */
export const STALE_UNREADABLE_MS = 2000;

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

// ---- lock files -------------------------------------------------------------------------

type LockState =
  | { kind: 'free' }
  | { kind: 'held'; holder: LockHolder | undefined }
  | { kind: 'stale'; raw: string };

/** Create `path` if absent and write our holder record into it; `undefined` when it exists. */
async function tryCreate(path: string): Promise<LockHolder | undefined> {
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return undefined;
    throw error;
  }
  const holder: LockHolder = {
    pid: process.pid,
    hostname: osHostname(),
    acquiredAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  try {
    await handle.writeFile(JSON.stringify(holder));
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw error;
  }
  await handle.close();
  track(path, holder.token);
  return holder;
}

async function inspect(path: string): Promise<LockState> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { kind: 'free' };
    throw error;
  }
  const holder = parseHolder(raw);
  if (holder) {
    if (holder.hostname !== osHostname() || isAlive(holder.pid)) return { kind: 'held', holder };
    return { kind: 'stale', raw };
  }
  // Empty or torn: the creator may be between `open` and `write`. Give it time.
  try {
    const age = Date.now() - (await stat(path)).mtimeMs;
    return age > STALE_UNREADABLE_MS ? { kind: 'stale', raw } : { kind: 'held', holder: undefined };
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { kind: 'free' };
    throw error;
  }
}

/**
 * Remove a stale lock file, but only if it still holds what we judged stale. Reclaimers take a
 * short guard lock first: without it, two waiters that both saw the dead holder could race, and
 * the slower one would delete the lock the faster one had just created.
 */
async function reclaim(path: string, staleRaw: string): Promise<boolean> {
  const guardPath = `${path}.reclaim`;
  const guard = await tryCreate(guardPath);
  if (!guard) {
    // The guard is held for a read and an unlink only; a stale one is a reclaimer that died.
    const state = await inspect(guardPath);
    if (state.kind === 'stale') await unlink(guardPath).catch(() => undefined);
    return false;
  }
  try {
    const now = await readFile(path, 'utf8').catch(() => undefined);
    if (now !== staleRaw) return now === undefined;
    await unlink(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return true;
    throw error;
  } finally {
    await releaseFile(guardPath, guard.token);
  }
}

/** Delete `path` if it is still ours (it may have been reclaimed and re-taken meanwhile). */
async function releaseFile(path: string, token: string): Promise<void> {
  untrack(path, token);
  const raw = await readFile(path, 'utf8').catch(() => undefined);
  if (raw !== undefined && parseHolder(raw)?.token === token) await unlink(path).catch(() => undefined);
}

function parseHolder(raw: string): LockHolder | undefined {
  try {
    const v = JSON.parse(raw) as Partial<LockHolder> | null;
    if (v && Number.isInteger(v.pid) && typeof v.hostname === 'string' && typeof v.acquiredAt === 'string') {
      return { pid: v.pid!, hostname: v.hostname, acquiredAt: v.acquiredAt, token: String(v.token ?? '') };
    }
  } catch {
    /* torn or empty */
  }
  return undefined;
}

/** Alive = signal 0 succeeds and it is not a zombie (PID 1 in a container may never reap it). */
function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return errorCode(error) === 'EPERM'; // exists, belongs to someone else
  }
  try {
    const procStat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = procStat.slice(procStat.lastIndexOf(')') + 2, procStat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc (macOS): signal 0 is all we have
  }
}

// ---- exit cleanup -----------------------------------------------------------------------

/**
 * Lock files this process holds. Process-wide on purpose: the 'exit' handler must find them
 * all, whichever call took them, so that `process.exit()` from a signal handler leaks none.
 */
const held = new Map<string, Set<string>>();
let exitHookInstalled = false;

function track(path: string, token: string): void {
  const tokens = held.get(path) ?? new Set<string>();
  tokens.add(token);
  held.set(path, tokens);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', releaseAllSync);
  }
}

function untrack(path: string, token: string): void {
  const tokens = held.get(path);
  tokens?.delete(token);
  if (tokens?.size === 0) held.delete(path);
}

function releaseAllSync(): void {
  for (const [path, tokens] of held) {
    try {
      const holder = parseHolder(readFileSync(path, 'utf8'));
      if (holder && tokens.has(holder.token)) unlinkSync(path);
    } catch {
      /* already gone */
    }
  }
  held.clear();
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

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
