import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTempFile, writeFileAtomic } from './atomic.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('replaces the content and leaves no temp file', async () => {
    const path = join(dir, 'out.json');
    await writeFile(path, 'old');
    await writeFileAtomic(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['out.json']);
  });

  it('creates missing directories and writes bytes with the mode asked for', async () => {
    const path = join(dir, 'a', 'b', 'secret.bin');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]), 0o600);
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('under concurrent writers, the file holds one whole write and no temp file is left', async () => {
    const path = join(dir, 'summary.csv');
    const contents = Array.from({ length: 30 }, (_, i) => `writer ${i}\n`.repeat(2000));
    await Promise.all(contents.map((c) => writeFileAtomic(path, c)));
    expect(contents).toContain(await readFile(path, 'utf8'));
    expect(await readdir(dir)).toEqual(['summary.csv']);
  });

  it('removes its temp file when the write fails', async () => {
    // The target is a directory: rename fails after the temp file was written.
    await expect(writeFileAtomic(dir, 'x')).rejects.toThrow();
    const parent = join(dir, '..');
    expect((await readdir(parent)).filter((n) => isTempFile(n) && n.includes('atomic-'))).toEqual([]);
  });
});
