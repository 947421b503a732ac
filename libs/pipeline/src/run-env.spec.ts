import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '@imagefleet/manifest';
import { cacheKeyEnvName, pendingEnv, settledDigest, settledEnvName, WRAPPED_ENV } from './run-env.js';
import { startNxRun } from './nx-run.js';

describe('settled services in the environment', () => {
  it('one variable per service, read back only as a digest', () => {
    expect(settledEnvName('web-api')).toBe('IMAGEFLEET_SETTLED_WEB_API');
    const env: Record<string, string> = { ...pendingEnv(['web', 'web-api'], 'run1'), IMAGEFLEET_SETTLED_WEB: 'sha256:aa' };
    expect(settledDigest(env, 'web')).toBe('sha256:aa');
    expect(settledDigest(env, 'web-api')).toBeNull();
    expect(env['IMAGEFLEET_SETTLED_WEB_API']).toBe('');
    expect(settledDigest({}, 'web')).toBeNull();
  });

  it('pending services get a cache key of the run, one variable per service', () => {
    expect(cacheKeyEnvName('web-api')).toBe('IMAGEFLEET_CACHE_KEY_WEB_API');
    const env = pendingEnv(['web', 'web-api'], 'run1');
    expect(env['IMAGEFLEET_CACHE_KEY_WEB']).toBe('run-run1');
    expect(env['IMAGEFLEET_CACHE_KEY_WEB_API']).toBe('run-run1');
    expect(pendingEnv(['web'], 'run2')['IMAGEFLEET_CACHE_KEY_WEB']).not.toBe(env['IMAGEFLEET_CACHE_KEY_WEB']);
  });
});

describe('startNxRun', () => {
  const manifest = { services: [{ name: 'web', dependsOn: [] }] } as unknown as Manifest;
  it.each([
    ['a run without push', ['run-many', '-t', 'image'], {}],
    ['a run imagefleet run owns', ['run-many', '-t', 'push'], { [WRAPPED_ENV]: '1' }],
  ])('%s: sets nothing, settles nothing', async (_name, args, env) => {
    expect(await startNxRun(manifest, args, { hookId: 'x', env })).toEqual({ env: {}, runId: null, services: null });
  });

  it('each run of one process gets its own run id and fresh cache keys (the Nx daemon runs every invocation\'s hooks)', async () => {
    // `--exclude`: no service is known, so nothing is settled and no registry is asked.
    const args = ['run-many', '-t', 'push', '--exclude', 'web'];
    const root = mkdtempSync(join(tmpdir(), 'nx-run-'));
    const inWorkspace = { ...manifest, root } as Manifest;
    const first = await startNxRun(inWorkspace, args, { hookId: 'a', env: {} });
    const second = await startNxRun(inWorkspace, args, { hookId: 'b', env: {} });
    rmSync(root, { recursive: true, force: true });
    expect(first.runId).toBeTruthy();
    expect(second.runId).not.toBe(first.runId);
    expect(second.env['IMAGEFLEET_RUN_ID']).toBe(second.runId);
    expect(second.env['IMAGEFLEET_CACHE_KEY_WEB']).not.toBe(first.env['IMAGEFLEET_CACHE_KEY_WEB']);
  });
});
