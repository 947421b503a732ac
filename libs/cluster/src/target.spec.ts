import { describe, expect, test } from 'vitest';
import type { RegistryConfig } from '@imagefleet/manifest';
import { etcHostsLine } from './etc-hosts.js';
import { splitHost } from './host.js';
import { clusterTarget, type ClusterKind } from './target.js';
import { manifestWith } from './testing/manifest.js';
import { tomlString } from './toml.js';

describe('clusterTarget refuses what a kind cannot wire, naming the value and the fix', () => {
  test.each([
    [
      'k3d',
      { host: 'registry.localhost:5001' },
      'registry.host "registry.localhost:5001": k3d names its registries k3d-<name>; use e.g. host: k3d-registry.localhost:5001',
    ],
    [
      'k3d',
      { host: '127.0.0.1:5601' },
      'registry.host "127.0.0.1:5601": k3d names its registries k3d-<name>; use e.g. host: k3d-registry.localhost:5601',
    ],
    [
      'k3d',
      { host: '[::1]:5601' },
      'registry.host "[::1]:5601": k3d names its registries k3d-<name>; use e.g. host: k3d-registry.localhost:5601',
    ],
    ['k3d', { host: 'k3d-ameide.localhost' }, 'registry.host "k3d-ameide.localhost" names no port'],
    [
      'k3d',
      { host: 'k3d-ameide.localhost:5002' },
      'use different ports: k3d publishes one port, so make them equal (e.g. k3d-ameide.localhost:5001 and localhost:5001)',
    ],
    ['kind', { pushHost: 'localhost' }, 'registry.pushHost "localhost" names no port'],
    ['bogus', {}, 'unknown cluster kind "bogus": use one of k3d, k3s, kind, containerd'],
  ] as [ClusterKind, Partial<RegistryConfig>, string][])('%s %j', (kind, registry, message) => {
    expect(() => clusterTarget(manifestWith(registry), kind)).toThrow(message);
  });

  test('k3d registry name: the reference host without k3d-', () => {
    expect(clusterTarget(manifestWith(), 'k3d').k3dRegistryName).toBe('ameide.localhost');
  });
});

describe('/etc/hosts line', () => {
  test.each([
    [{}, '127.0.0.1 k3d-ameide.localhost'],
    [{ pushHost: '127.0.0.2:5001' }, '127.0.0.2 k3d-ameide.localhost'],
    [{ host: 'localhost:5001' }, null],
    [{ host: '127.0.0.1:5001' }, null],
    [{ host: 'k3d-ameide.localhost:5002', pushHost: 'localhost:5001' }, null], // a name cannot fix a port
    [{ host: 'registry.example.com', pushHost: 'registry.example.com' }, null],
  ] as [Partial<RegistryConfig>, string | null][])('%j → %s', (registry, line) => {
    expect(etcHostsLine(clusterTarget(manifestWith(registry), 'containerd'))).toBe(line);
  });
});

describe('host parsing', () => {
  test.each([
    ['k3d-ameide.localhost:5001', 'k3d-ameide.localhost', 5001, false],
    ['localhost:5001', 'localhost', 5001, true],
    ['registry.example.com', 'registry.example.com', null, false],
    ['[::1]:5000', '::1', 5000, true],
    ['127.0.0.1', '127.0.0.1', null, true],
  ])('%s', (host, name, port, loopback) => {
    expect(splitHost(host)).toEqual({ host, name, port, loopback });
  });
});

describe('TOML strings', () => {
  test.each([
    ['http://a:1', '"http://a:1"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['C:\\certs', '"C:\\\\certs"'],
    ['a\nb\u0001', '"a\\nb\\u0001"'],
  ])('%j', (value, toml) => expect(tomlString(value)).toBe(toml));
});
