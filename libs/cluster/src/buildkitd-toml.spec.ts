import { describe, expect, it } from 'vitest';
import { buildkitdToml } from './buildkitd-toml.js';
import { manifestWith } from './testing/manifest.js';

describe('buildkitd.toml for the builder', () => {
  it.each([
    [
      'seed 002: an HTTP builder host, the reference host mirrored to it',
      { builderHost: 'k3d-dev-reg:5000', insecure: true },
      [
        '[registry."k3d-dev-reg:5000"]\n  http = true',
        '[registry."k3d-ameide.localhost:5001"]\n  mirrors = ["k3d-dev-reg:5000"]',
      ],
    ],
    [
      'a private CA',
      {
        builderHost: 'reg.example:443',
        host: 'reg.example:443',
        insecure: false,
        hosts: { 'reg.example:443': { insecure: false, caFile: '/ca.pem', credentialsEnv: null, dockerConfig: null } },
      },
      ['[registry."reg.example:443"]\n  ca = ["/ca.pem"]'],
    ],
  ])('%s', (_, registry, sections) => {
    const text = buildkitdToml({ ...manifestWith(registry), cache: { registry: null } });
    for (const section of sections) expect(text).toContain(section);
    if (!registry.insecure) expect(text).not.toContain('http = true');
  });

  it('the cache host gets its table too', () => {
    const m = manifestWith({ builderHost: 'a:5000', insecure: true });
    const text = buildkitdToml({ ...m, cache: { registry: { ref: 'b:5000/ns/{service}:buildcache', mode: 'max' } } });
    expect(text).toContain('[registry."b:5000"]\n  http = true');
  });
});
