/**
 * Cross-process locks on the local file system, for every process of a run and for two runs at
 * once. One primitive, {@link acquireLock}: take any one of a set of lock files, waiting while
 * all are held. A mutex is a set of one (`withFileLock`, e.g. around the shared summary); a
 * counting semaphore is a set of N (`acquireSlot`, e.g. "at most 2 pushes at once", or 1: "one
 * run per service").
 *
 * A lock file is created with `open(path, 'wx')` (atomic create-if-absent) and holds
 * `{ pid, hostname, acquiredAt, token }`. A holder that died without cleaning up (its pid is gone
 * or a zombie) is detected and its file reclaimed; a file that stays empty or unreadable for more
 * than {@link STALE_UNREADABLE_MS} is a holder that died between create and write. A holder on
 * another host cannot be checked and is always treated as alive.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { dirname, join } from 'node:path';
import { systemClock, type Clock } from './clock.js';

/** What a lock file holds. `token` tells two holders in the same process apart. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** ISO 8601. */
  acquiredAt: string;
  token: string;
}

export interface LockOptions {
  /** Stop waiting; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Give up with {@link LockTimeoutError} after waiting this long (0: do not wait). @default no limit */
  timeoutMs?: number;
  /** Time between rounds while every lock file is held (±50 %). @default 100 */
  pollMs?: number;
  /** Called when a wait starts and whenever the set of holders changes, with their pids. */
  onWait?: (holders: number[]) => void;
  clock?: Clock;
}

/** A lock file held by this process. */
export interface Slot {
  /** Which of the lock files: an index into the set asked for (`0 <= slot < slots`). */
  slot: number;
  /** Give it back. Calling it again does nothing. */
  release(): Promise<void>;
}

/** An empty or unparsable lock file older than this is a holder that died mid-create. */
export const STALE_UNREADABLE_MS = 2000;

/** The wait for a lock passed `timeoutMs` and it was still held. */
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

/**
 * Take one of the lock files `paths`, waiting until one is free. Each round starts at a random
 * one, so that waiters do not all queue on the first.
 */
export async function acquireLock(paths: readonly string[], opts: LockOptions = {}): Promise<Slot> {
  const { signal, onWait, timeoutMs, pollMs = 100, clock = systemClock } = opts;
  if (timeoutMs !== undefined) checkNumber('timeoutMs', timeoutMs, 0);
  checkNumber('pollMs', pollMs, 1);
  await Promise.all([...new Set(paths.map((p) => dirname(p)))].map((d) => mkdir(d, { recursive: true })));
  const started = clock.now();
  let reported: string | undefined;
  for (;;) {
    signal?.throwIfAborted();
    const first = randomInt(paths.length);
    const holders: LockHolder[] = [];
    for (let k = 0; k < paths.length; k++) {
      const slot = (first + k) % paths.length;
      const token = await take(paths[slot]!, holders);
      if (token) return held(paths[slot]!, slot, token);
    }
    const pids = holders.map((h) => h.pid);
    const key = [...pids].sort((a, b) => a - b).join(',');
    if (key !== reported) onWait?.(pids);
    reported = key;
    const waited = clock.now() - started;
    if (timeoutMs !== undefined && waited >= timeoutMs) {
      throw new LockTimeoutError(paths.length === 1 ? paths[0]! : dirname(paths[0]!), holders[0], waited);
    }
    // ±50 %, so processes polling the same files drift apart instead of colliding in step.
    await clock.sleep(Math.max(1, Math.round(pollMs * (0.5 + Math.random()))), signal);
  }
}

/** One of `slots` lock files `dir/slot-<i>.lock`: a counting semaphore across processes. */
export function acquireSlot(dir: string, slots: number, opts: LockOptions = {}): Promise<Slot> {
  if (!Number.isInteger(slots) || slots < 1) {
    return Promise.reject(new TypeError(`acquireSlot: slots must be a positive integer, got ${String(slots)}`));
  }
  return acquireLock(
    Array.from({ length: slots }, (_, i) => join(dir, `slot-${i}.lock`)),
    opts,
  );
}

/** Run `fn` holding the lock file `lockPath` (by default waiting at most 60 s); released in `finally`. */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const lock = await acquireLock([lockPath], { timeoutMs: 60_000, pollMs: 25, ...opts });
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

function held(path: string, slot: number, token: string): Slot {
  let released: Promise<void> | undefined;
  return { slot, release: () => (released ??= releaseFile(path, token)) };
}

/** Our token when `path` is ours now (created, or reclaimed from a dead holder); else its holder joins `holders`. */
async function take(path: string, holders: LockHolder[]): Promise<string | undefined> {
  const mine = await tryCreate(path);
  if (mine) return mine;
  const state = await inspect(path);
  if (state.kind === 'held' && state.holder) holders.push(state.holder);
  if (state.kind === 'free' || (state.kind === 'stale' && (await reclaim(path, state.raw)))) return tryCreate(path);
  return undefined;
}

// ---- lock files -------------------------------------------------------------------------

type LockState = { kind: 'free' } | { kind: 'held'; holder: LockHolder | undefined } | { kind: 'stale'; raw: string };

/** Create `path` if absent and write our holder record into it: our token, or `undefined` when it exists. */
async function tryCreate(path: string): Promise<string | undefined> {
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
  return holder.token;
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
  // Empty or torn: the creator may be between `open` and `write`. Give it time. (The wall clock:
  // the file's mtime is on it, whatever clock the waiter was given.)
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
    await releaseFile(guardPath, guard);
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
export function isAlive(pid: number): boolean {
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
 * Safe across runs: a lock leaves the map when it is released, so a run that ended holds none.
 */
const heldFiles = new Map<string, Set<string>>();
let exitHookInstalled = false;

function track(path: string, token: string): void {
  const tokens = heldFiles.get(path) ?? new Set<string>();
  tokens.add(token);
  heldFiles.set(path, tokens);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', releaseAllSync);
  }
}

function untrack(path: string, token: string): void {
  const tokens = heldFiles.get(path);
  tokens?.delete(token);
  if (tokens?.size === 0) heldFiles.delete(path);
}

function releaseAllSync(): void {
  for (const [path, tokens] of heldFiles) {
    try {
      const holder = parseHolder(readFileSync(path, 'utf8'));
      if (holder && tokens.has(holder.token)) unlinkSync(path);
    } catch {
      /* already gone */
    }
  }
  heldFiles.clear();
}

function checkNumber(option: string, value: number, min: number): void {
  if (!Number.isFinite(value) || value < min) {
    throw new TypeError(`${option} must be a number >= ${min}, got ${String(value)}`);
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
