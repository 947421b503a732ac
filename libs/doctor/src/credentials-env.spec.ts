import { describe, expect, it } from 'vitest';
import type { HostSettings, RegistryConfig } from '@imagefleet/manifest';
import { namedCredentials } from './credentials-env.js';

const settings = (credentialsEnv: HostSettings['credentialsEnv']): HostSettings => ({
  insecure: false,
  caFile: null,
  credentialsEnv,
  dockerConfig: null,
});
const registry = (hosts: Record<string, HostSettings>): RegistryConfig => ({
  host: 'registry.example.com',
  pushHost: 'registry.example.com',
  builderHost: 'registry.example.com',
  namespace: 'ameide',
  insecure: false,
  hosts,
});
const PULL = { username: 'PULL_USER', password: 'PULL_PASSWORD' };

describe('namedCredentials', () => {
  it('says nothing for hosts that name no variables', () => {
    expect(namedCredentials(registry({ 'registry.example.com': settings(null) }), {})).toEqual([]);
  });

  it('passes when both variables are set, naming them (never their values)', () => {
    const [check] = namedCredentials(registry({ 'pull.example.com': settings(PULL) }), {
      PULL_USER: 'ci',
      PULL_PASSWORD: 'hunter22',
    });
    expect(check).toEqual({
      name: 'credentials pull.example.com',
      ok: true,
      detail: 'from PULL_USER and PULL_PASSWORD (registry.hosts)',
      fix: '',
    });
  });

  it.each([
    [{ PULL_PASSWORD: 'hunter22' }, 'usernameEnv PULL_USER is not set', 'export PULL_USER (or remove'],
    [{ PULL_USER: 'ci', PULL_PASSWORD: '' }, 'passwordEnv PULL_PASSWORD is not set', 'export PULL_PASSWORD (or remove'],
    [{}, 'usernameEnv PULL_USER and passwordEnv PULL_PASSWORD are not set', 'export PULL_USER and PULL_PASSWORD'],
  ])('an unset variable fails, saying the client would fall back to other credentials (%j)', (env, detail, fix) => {
    const [check] = namedCredentials(registry({ 'pull.example.com': settings(PULL) }), env);
    expect(check!.ok).toBe(false);
    expect(check!.detail).toBe(
      `registry.hosts["pull.example.com"].${detail}: the client falls back to IMAGEFLEET_REGISTRY_USER/PASSWORD or the docker config, not this host's own account`,
    );
    expect(check!.fix).toContain(fix);
  });
});
