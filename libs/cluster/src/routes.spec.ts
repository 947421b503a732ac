import { describe, expect, test } from 'vitest';
import { containerdHostsFiles, renderHostsToml } from './hosts-toml.js';
import { registryRoutes } from './routes.js';
import { clusterTarget, type ClusterKind, type ClusterOptions } from './target.js';
import { manifestWith, plainHost } from './testing/manifest.js';
import type { RegistryConfig } from '@imagefleet/manifest';

const routes = (registry: Partial<RegistryConfig>, kind: ClusterKind = 'containerd', opts: ClusterOptions = {}) =>
  registryRoutes(clusterTarget(manifestWith(registry), kind, opts)).map((r) => ({
    ...r,
    mirrors: r.mirrors.map((m) => m.origin),
    server: r.server.origin,
  }));

describe('registryRoutes', () => {
  test.each([
    // [what, registry, kind, reference route mirrors, push route mirrors]
    ['seeds, node on this machine', {}, 'containerd', ['http://localhost:5001'], []],
    ['seeds, k3d node', {}, 'k3d', ['http://k3d-ameide.localhost:5000'], ['http://k3d-ameide.localhost:5000']],
    ['seeds, KIND node', {}, 'kind', ['http://kind-registry:5000'], ['http://kind-registry:5000']],
    [
      'HTTP on a LAN name: spelled out, containerd would use https',
      { host: 'reg.lan:5000', pushHost: 'reg.lan:5000', insecure: true },
      'k3s',
      ['http://reg.lan:5000'],
      null,
    ],
    [
      'HTTPS on loopback: spelled out, containerd would use http',
      { host: 'localhost:5001', pushHost: 'localhost:5001', insecure: false },
      'k3s',
      ['https://localhost:5001'],
      null,
    ],
    [
      'HTTPS remote: nothing to say',
      { host: 'registry.example.com', pushHost: 'registry.example.com', insecure: false },
      'k3s',
      [],
      null,
    ],
  ] as const)('%s', (_what, registry, kind, referenceMirrors, pushMirrors) => {
    const [reference, push] = routes(registry, kind);
    expect(reference!.mirrors).toEqual(referenceMirrors);
    if (pushMirrors === null) expect(push).toBeUndefined();
    else expect(push!.mirrors).toEqual(pushMirrors);
  });

  test("server: where the registry really is, so the last error containerd reports is the registry's own", () => {
    expect(routes({}).map((r) => r.server)).toEqual(['http://localhost:5001', 'http://localhost:5001']);
    expect(routes({}, 'k3d').map((r) => r.server)).toEqual([
      'http://k3d-ameide.localhost:5000',
      'http://k3d-ameide.localhost:5000',
    ]);
    expect(routes({ host: 'r.example.com', pushHost: 'r.example.com', insecure: false })[0]!.server).toBe(
      'https://r.example.com',
    );
  });

  test('an endpoint option wins; without a scheme it takes the registry scheme', () => {
    expect(routes({}, 'containerd', { endpoint: '127.0.0.1:6000' })[0]!.mirrors).toEqual(['http://127.0.0.1:6000']);
    expect(routes({}, 'k3s', { endpoint: 'https://mirror.lan' })[0]!.mirrors).toEqual(['https://mirror.lan']);
  });
});

describe('each name keeps its own settings', () => {
  test('a loopback address on another port with its own CA is a registry of its own, reached by itself', () => {
    const target = clusterTarget(
      manifestWith({
        host: '127.0.0.2:5443',
        pushHost: '127.0.0.1:5001',
        hosts: { '127.0.0.2:5443': plainHost(false, { caFile: '/w/ca.pem' }) },
      }),
      'containerd',
    );
    const [reference, push] = registryRoutes(target);
    expect(reference!.mirrors).toEqual([
      { origin: 'https://127.0.0.2:5443', caFile: '/w/ca.pem', credentialsEnv: null },
    ]);
    expect(push!.mirrors).toEqual([]); // plain HTTP to a loopback IP is containerd's default
  });

  test('a *.localhost name is always the registry behind loopback, whatever its port (nodes cannot resolve it)', () => {
    expect(routes({ host: 'k3d-x.localhost:5002' })[0]!.mirrors).toEqual(['http://localhost:5001']);
  });

  test("the manifest's cluster.endpoint is where nodes reach the registry behind loopback", () => {
    const target = clusterTarget(manifestWith({}, { endpoint: 'http://registry.infra:5000' }), 'k3s');
    expect(registryRoutes(target).map((r) => r.mirrors.map((m) => m.origin))).toEqual([
      ['http://registry.infra:5000'],
      ['http://registry.infra:5000'],
    ]);
  });
});

describe('containerd hosts.toml', () => {
  test('one directory per host, named host:port exactly as in the image reference', () => {
    const { files } = containerdHostsFiles(
      clusterTarget(manifestWith({ pushHost: '127.0.0.1:5001', insecure: false }), 'containerd'),
    );
    expect(Object.keys(files)).toEqual([
      'certs.d/k3d-ameide.localhost:5001/hosts.toml',
      'certs.d/127.0.0.1:5001/hosts.toml',
    ]);
  });

  test('server, then one [host] table per mirror with pull and resolve', () => {
    const text = renderHostsToml(
      {
        host: 'a:1',
        roles: ['host'],
        server: { origin: 'http://a:1', caFile: null, credentialsEnv: null },
        mirrors: [
          { origin: 'http://m1:2', caFile: null, credentialsEnv: null },
          { origin: 'https://m2', caFile: '/x/ca.pem', credentialsEnv: null },
        ],
      },
      '/x/services.manifest.yaml',
    );
    expect(text.split('\n').slice(1).join('\n')).toBe(
      [
        'server = "http://a:1"',
        '',
        '[host."http://m1:2"]',
        '  capabilities = ["pull", "resolve"]',
        '',
        '[host."https://m2"]',
        '  capabilities = ["pull", "resolve"]',
        '  ca = "ca.crt"',
        '',
      ].join('\n'),
    );
  });
});
