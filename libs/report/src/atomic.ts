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
  const handle = await open(temp, 'wx', mode);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDir(dir);
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
