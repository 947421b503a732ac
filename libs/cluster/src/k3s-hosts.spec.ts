import { describe, expect, test } from 'vitest';
import type { RegistryConfig } from '@imagefleet/manifest';
import { k3sRoutes } from './k3s-hosts.js';
import { renderRegistriesYaml } from './registries-yaml.js';
import { routesWithMirrors } from './routes.js';
import { clusterTarget, type ClusterKind } from './target.js';
import { manifestWith } from './testing/manifest.js';

/**
 * k3s is not packaged for Debian: its input is checked by mapping our registries.yaml the way
 * k3s does and comparing with what the containerd generator writes (which the e2e pulls with).
 */
describe('registries.yaml, as k3s renders it, routes like the containerd generator', () => {
  test.each([
    ['seeds on a k3s node', {}, 'k3s'],
    ['seeds on a k3d node', {}, 'k3d'],
    ['HTTP registry on a LAN name', { host: 'reg.lan:5000', pushHost: 'reg.lan:5000', insecure: true }, 'k3s'],
    ['HTTPS registry on loopback', { host: 'localhost:5443', pushHost: 'localhost:5443', insecure: false }, 'k3s'],
    [
      'reference name on a remote HTTPS registry',
      { host: 'images.example.com', pushHost: 'registry.example.com', insecure: false },
      'k3s',
    ],
    [
      'remote HTTPS registry, one name',
      { host: 'registry.example.com', pushHost: 'registry.example.com', insecure: false },
      'k3s',
    ],
  ] as [string, Partial<RegistryConfig>, ClusterKind][])('%s', (_what, registry, kind) => {
    const target = clusterTarget(manifestWith(registry), kind);
    const ours = routesWithMirrors(target);
    const k3s = k3sRoutes(renderRegistriesYaml(target));
    // Same directories, same mirrors in the same order.
    expect(k3s.map(({ host, mirrors }) => ({ host, mirrors }))).toEqual(
      ours.map(({ host, mirrors }) => ({ host, mirrors: mirrors.map((m) => m.origin) })),
    );
    // The fallback differs, and registries.yaml cannot say ours: k3s's server is the name itself,
    // https for any name that is not loopback (seed failure mode 3), http for loopback on a port;
    // ours is the registry's real origin.
    for (const route of k3s) {
      const loopback = /^(localhost|127\.)/.test(route.host);
      expect(route.server).toBe(`${loopback ? 'http' : 'https'}://${route.host}`);
    }
    // With --disable-default-registry-endpoint there is no fallback at all.
    expect(
      k3sRoutes(renderRegistriesYaml(target), { disableDefaultEndpoint: true }).every((r) => r.server === null),
    ).toBe(true);
  });

  test('k3s rules: endpoint without a scheme, /v2 suffix, last endpoint equal to the default', () => {
    const yaml = [
      'mirrors:',
      '  "a.example:5000": {endpoint: ["localhost:5001", "http://b.lan:80/v2", "https://a.example:5000"]}',
      '  "localhost:5001": {endpoint: ["localhost:5001"]}',
      '  "c.example": {}',
    ].join('\n');
    expect(k3sRoutes(yaml)).toEqual([
      {
        host: 'a.example:5000',
        server: 'https://a.example:5000',
        mirrors: ['http://localhost:5001', 'http://b.lan:80'],
      },
    ]);
  });
});
