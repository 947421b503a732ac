import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { clusterConfig } from './config.js';
import { CLUSTER_KINDS, type ClusterKind } from './target.js';
import { expectGolden } from './testing/golden.js';
import { manifestWith } from './testing/manifest.js';

const OUT = '/srv/imagefleet/cluster';

describe('clusterConfig golden files (the seeds registry: k3d-ameide.localhost:5001 pushed via localhost:5001)', () => {
  test.each(CLUSTER_KINDS)('%s', (kind) => {
    const config = clusterConfig(manifestWith(), kind, { outDir: OUT });
    for (const [file, content] of Object.entries(config.files))
      expectGolden(`${kind}/${file.replaceAll(':', '#')}`, content);
    expectGolden(`${kind}/text.txt`, config.text);
  });

  test('file lists per kind', () => {
    const list = (kind: ClusterKind) => Object.keys(clusterConfig(manifestWith(), kind, { outDir: OUT }).files);
    expect(list('k3d')).toEqual(['registries.yaml', 'k3d.sh']);
    expect(list('k3s')).toEqual(['registries.yaml']);
    // On this machine containerd already pulls localhost:5001 over plain HTTP: no file for it.
    expect(list('containerd')).toEqual(['certs.d/k3d-ameide.localhost:5001/hosts.toml']);
    expect(list('kind')).toEqual([
      'certs.d/k3d-ameide.localhost:5001/hosts.toml',
      'certs.d/localhost:5001/hosts.toml',
      'kind-cluster.yaml',
      'local-registry-hosting.yaml',
      'kind.sh',
    ]);
  });
});

describe('every output moves with the manifest, in lockstep', () => {
  const everything = (registry: Parameters<typeof manifestWith>[0]) =>
    CLUSTER_KINDS.map((kind) => {
      const config = clusterConfig(manifestWith(registry), kind, { outDir: OUT });
      return JSON.stringify({
        files: config.files,
        text: config.text,
        commands: config.commands,
        etcHosts: config.etcHosts,
      });
    }).join('\n');

  test('a port changed in the manifest changes every place it appears, and nothing else', () => {
    const before = everything({});
    const after = everything({ host: 'k3d-ameide.localhost:5002', pushHost: 'localhost:5002' });
    expect(before).toContain('5001');
    expect(after).not.toContain('5001');
    expect(after).toBe(before.replaceAll('5001', '5002'));
  });

  test('a registry name changed in the manifest changes k3d name, mirrors, dirs, ConfigMap and /etc/hosts', () => {
    const before = everything({});
    const after = everything({ host: 'k3d-team.localhost:5001' });
    expect(after).not.toContain('ameide.localhost');
    expect(after).toBe(before.replaceAll('ameide.localhost', 'team.localhost'));
    const k3d = clusterConfig(manifestWith({ host: 'k3d-team.localhost:5001' }), 'k3d');
    expect(k3d.commands[0]).toBe('k3d registry create team.localhost --port 5001');
    expect(k3d.commands[1]).toContain('--registry-use k3d-team.localhost:5001');
    expect(k3d.etcHosts).toBe('127.0.0.1 k3d-team.localhost');
  });

  test('the namespace names the cluster and appears in the image line', () => {
    const config = clusterConfig(manifestWith({ namespace: 'team/apps' }), 'k3d');
    expect(config.commands[1]).toMatch(/^k3d cluster create team-apps /);
    expect(config.text).toContain('k3d-ameide.localhost:5001/team/apps/<service>');
  });
});

describe('generated YAML parses back to the manifest', () => {
  test('k3d and k3s registries.yaml: one mirror per name a node may see, each to where the registry really is', () => {
    const k3d = parse(clusterConfig(manifestWith(), 'k3d').files['registries.yaml']!);
    expect(k3d).toEqual({
      mirrors: {
        'k3d-ameide.localhost:5001': { endpoint: ['http://k3d-ameide.localhost:5000'] },
        'localhost:5001': { endpoint: ['http://k3d-ameide.localhost:5000'] },
      },
    });
    const k3s = parse(clusterConfig(manifestWith(), 'k3s').files['registries.yaml']!);
    // On a k3s node the push host is the registry itself, which containerd reaches by default.
    expect(k3s).toEqual({ mirrors: { 'k3d-ameide.localhost:5001': { endpoint: ['http://localhost:5001'] } } });
  });

  test('registries.yaml never holds a credential, only where to put one', () => {
    const text = clusterConfig(
      manifestWith({ host: 'registry.example.com', pushHost: 'registry.example.com', insecure: false }),
      'k3s',
    ).files['registries.yaml']!;
    expect(parse(text)).toEqual({ mirrors: {} });
    expect(text).toContain('$IMAGEFLEET_REGISTRY_PASSWORD');
    expect(text.split('\n').filter((l) => !l.startsWith('#') && /auth|password|username|token/i.test(l))).toEqual([]);
  });

  test('KIND cluster: config_path patch, certs.d mounted from the output directory', () => {
    const cluster = parse(
      clusterConfig(manifestWith(), 'kind', { outDir: OUT, clusterName: 'dev' }).files['kind-cluster.yaml']!,
    );
    expect(cluster).toMatchObject({ kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', name: 'dev' });
    expect(cluster.containerdConfigPatches).toEqual([
      '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"',
    ]);
    expect(cluster.nodes[0].extraMounts).toEqual([
      { hostPath: `${OUT}/certs.d`, containerPath: '/etc/containerd/certs.d', readOnly: true },
    ]);
  });

  test('KEP-1755 ConfigMap: kube-public/local-registry-hosting with localRegistryHosting.v1', () => {
    const m = manifestWith({ host: 'k3d-x.localhost:5099', pushHost: 'localhost:5099' });
    const cm = parse(
      clusterConfig(m, 'kind', { registryContainer: 'reg', containerPort: 5055 }).files['local-registry-hosting.yaml']!,
    );
    expect(cm).toMatchObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'local-registry-hosting', namespace: 'kube-public' },
    });
    expect(typeof cm.data['localRegistryHosting.v1']).toBe('string');
    expect(parse(cm.data['localRegistryHosting.v1'])).toEqual({
      host: m.registry.pushHost,
      hostFromContainerRuntime: m.registry.host,
      hostFromClusterNetwork: 'reg:5055',
      help: 'https://kind.sigs.k8s.io/docs/user/local-registry/',
    });
  });
});
