/**
 * The one place that writes a file atomically: a temp file in the same directory (same file
 * system, so `rename` is atomic), fsync, rename over the target, fsync the directory. A reader
 * sees the old content or the new, never a torn file; a crash leaves at most a `.tmp` file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Temp files start with `.` and end with `.tmp`, so directory readers can skip them. */
export function isTempFile(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

/**
 * @param mode file mode of a newly written file. @default 0o644
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle;
  try {
    handle = await open(temp, 'wx', mode);
  } catch (error) {
    throw namingFile(error, path);
  }
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    // No temp file stays behind, however far the write got (a full disk leaves 0-byte files).
    await unlink(temp).catch(() => undefined);
    throw namingFile(error, path);
  }
  await syncDir(dir);
}

/**
 * `ENOSPC: no space left on device, write` names no file: say which one, keep the code (and
 * the original as `cause`) so callers can still tell the failures apart.
 */
export function namingFile(error: unknown, path: string): Error {
  const e = error as NodeJS.ErrnoException;
  if (typeof e?.message === 'string' && e.message.includes(path)) return e;
  const wrapped: NodeJS.ErrnoException = new Error(`cannot write ${path}: ${e?.message ?? String(error)}`, {
    cause: error,
  });
  if (e?.code !== undefined) wrapped.code = e.code;
  if (e?.errno !== undefined) wrapped.errno = e.errno;
  if (e?.syscall !== undefined) wrapped.syscall = e.syscall;
  wrapped.path = path;
  return wrapped;
}

/** Make the rename itself durable. Not every platform can open a directory: best effort. */
async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    /* e.g. Windows, or a file system that refuses fsync on directories */
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
