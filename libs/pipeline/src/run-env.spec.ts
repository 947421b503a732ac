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
});
