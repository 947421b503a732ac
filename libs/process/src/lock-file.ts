/**
 * Lock files: create-if-absent with a holder record, inspect (free / held / stale), reclaim a
 * dead holder's file safely, release only our own — and delete what this process still holds
 * when it exits. The building block of `withFileLock` and `acquireSlot` (file-lock.ts).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';

/** What a lock file holds. `token` tells two holders in the same process apart. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** ISO 8601. */
  acquiredAt: string;
  token: string;
}

/** An empty or unparsable lock file older than this is a holder that died mid-create. */
export const STALE_UNREADABLE_MS = 2000;

// ---- lock files -------------------------------------------------------------------------

export type LockState =
  { kind: 'free' } | { kind: 'held'; holder: LockHolder | undefined } | { kind: 'stale'; raw: string };

/** Create `path` if absent and write our holder record into it; `undefined` when it exists. */
export async function tryCreate(path: string): Promise<LockHolder | undefined> {
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

export async function inspect(path: string): Promise<LockState> {
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
export async function reclaim(path: string, staleRaw: string): Promise<boolean> {
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
export async function releaseFile(path: string, token: string): Promise<void> {
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

export function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
