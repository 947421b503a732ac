import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assignCacheKeys, cacheKeysFile } from './nx-cache-keys.js';

describe('assignCacheKeys', () => {
  const dirs: string[] = [];
  const file = () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-keys-'));
    dirs.push(dir);
    return cacheKeysFile(join(dir, 'state'));
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('a service verified on the next run keeps the key of the run that pushed it; others get the new run\'s', async () => {
    const f = file();
    // Cold: nothing verified yet, so every service is hashed under run 1's key.
    expect(await assignCacheKeys(f, 'r1', [{ name: 'base', verified: false }, { name: 'web', verified: false }])).toEqual({ base: 'run-r1', web: 'run-r1' });
    // Warm: base verified → run 1's key again (Nx can replay run 1's task); web lost → fresh.
    expect(await assignCacheKeys(f, 'r2', [{ name: 'base', verified: true }, { name: 'web', verified: false }])).toEqual({ base: 'run-r1', web: 'run-r2' });
    expect(await assignCacheKeys(f, 'r3', [{ name: 'web', verified: true }])).toEqual({ web: 'run-r2' });
    // Services a run does not cover keep what they had.
    expect(JSON.parse(readFileSync(f, 'utf8'))).toEqual({ base: 'run-r1', web: 'run-r2' });
  });

  it('a service never seen, or an unreadable record, starts from the run\'s own key even when verified', async () => {
    const f = file();
    expect(await assignCacheKeys(f, 'r1', [{ name: 'web', verified: true }])).toEqual({ web: 'run-r1' });
    writeFileSync(f, '{ not json');
    expect(await assignCacheKeys(f, 'r2', [{ name: 'web', verified: true }])).toEqual({ web: 'run-r2' });
    writeFileSync(f, '["web"]');
    expect(await assignCacheKeys(f, 'r3', [{ name: 'web', verified: true }])).toEqual({ web: 'run-r3' });
  });
});
