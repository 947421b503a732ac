/**
 * A full disk (ENOSPC), injected: the error names the file, and no 0-byte temp or `.partial`
 * file is left behind.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const full = { on: false };
const enospc = () =>
  Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof fs.open = async (...args) => {
    const handle = await fs.open(...args);
    if (full.on) handle.writeFile = async () => Promise.reject(enospc());
    return handle;
  };
  return { ...fs, open, default: { ...fs, open } };
});
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((...args: Parameters<typeof fs.writeSync>) => {
    if (full.on) throw enospc();
    return (fs.writeSync as (...a: unknown[]) => number)(...args);
  }) as typeof fs.writeSync;
  return { ...fs, writeSync, default: { ...fs, writeSync } };
});

const { writeFileAtomic } = await import('./atomic.js');
const { openServiceLog } = await import('./service-log.js');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enospc-'));
});
afterEach(async () => {
  full.on = false;
  await rm(dir, { recursive: true, force: true });
});

describe('a full disk', () => {
  it('writeFileAtomic names the file, keeps the code, leaves the old content and no temp file', async () => {
    const path = join(dir, 'build-summary-dev.csv');
    await writeFile(path, 'old');
    full.on = true;
    const error = await writeFileAtomic(path, 'new').catch((e: NodeJS.ErrnoException) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(`cannot write ${path}: ENOSPC: no space left on device, write`);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(await readdir(dir)).toEqual(['build-summary-dev.csv']);
    expect(await readFile(path, 'utf8')).toBe('old');
  });

  it('a service log names its file and leaves no 0-byte .partial', async () => {
    const log = openServiceLog({ dir, service: 'api', tag: 'dev', redact: (s) => s });
    full.on = true;
    expect(() => log.line('first line')).toThrow(
      `cannot write ${log.inProgressPath}: ENOSPC: no space left on device, write`,
    );
    expect(await readdir(dir)).toEqual([]);
    await log.close(); // nothing to publish, and no crash
    expect(await readdir(dir)).toEqual([]);
  });
});
