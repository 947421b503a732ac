import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { clusterConfig } from './config.js';
import { CLUSTER_KINDS, clusterTarget, type ClusterKind } from './target.js';
import { expectGolden } from './testing/golden.js';
import { manifestWith, plainHost } from './testing/manifest.js';
import { readCredentials } from './credentials.js';
import { registryRoutes } from './routes.js';

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

/**
 * Seed 004's shape: push to an internal plain-HTTP host, pull by an external HTTPS name with its
 * own CA and credentials. Each name keeps its own scheme; the CA and credentials reach the node files.
 */
const SEED_004 = manifestWith({
  host: 'registry.example.com',
  pushHost: '10.42.2.16:3000',
  insecure: true,
  hosts: {
    'registry.example.com': plainHost(false, {
      caFile: '/w/certs/registry-ca.pem',
      credentialsEnv: { username: 'REGISTRY_USER', password: 'REGISTRY_PASSWORD' },
    }),
    '10.42.2.16:3000': plainHost(true),
  },
});

describe('seed 004: HTTP push host, HTTPS reference host with its own CA', () => {
  test.each(['k3s', 'kind', 'containerd'] as const)('%s golden files', (kind) => {
    const config = clusterConfig(SEED_004, kind, { outDir: OUT });
    for (const [file, content] of Object.entries(config.files))
      expectGolden(`seed-004/${kind}/${file.replaceAll(':', '#')}`, content);
    expectGolden(`seed-004/${kind}/text.txt`, config.text);
  });

  test('each name is routed to itself with its own scheme: never https:// for the HTTP host, never the push host for the reference', () => {
    const routes = registryRoutes(clusterTarget(SEED_004, 'containerd'));
    expect(routes.map((r) => [r.host, r.mirrors.map((m) => m.origin), r.server.caFile])).toEqual([
      ['registry.example.com', ['https://registry.example.com'], '/w/certs/registry-ca.pem'],
      ['10.42.2.16:3000', ['http://10.42.2.16:3000'], null],
    ]);
    const { files, copies } = clusterConfig(SEED_004, 'containerd');
    expect(files['certs.d/registry.example.com/hosts.toml']).toContain('ca = "ca.crt"');
    expect(copies).toEqual({ 'certs.d/registry.example.com/ca.crt': '/w/certs/registry-ca.pem' });
  });

  test('registries.yaml: configs.<host>.tls always, auth only with the credentials read (0600)', () => {
    const without = clusterConfig(SEED_004, 'k3s');
    expect(parse(without.files['registries.yaml']!).configs).toEqual({
      'registry.example.com': { tls: { ca_file: '/w/certs/registry-ca.pem' } },
    });
    expect(without.files['registries.yaml']).toContain('$REGISTRY_USER / $REGISTRY_PASSWORD');
    expect(without.secretFiles).toEqual([]);
    const credentials = { 'registry.example.com': { username: 'ci', password: 's3cret-value' } };
    const withAuth = clusterConfig(SEED_004, 'k3s', { credentials });
    expect(parse(withAuth.files['registries.yaml']!).configs['registry.example.com'].auth).toEqual({
      username: 'ci',
      password: 's3cret-value',
    });
    expect(withAuth.secretFiles).toEqual(['registries.yaml']);
    expect(withAuth.text).not.toContain('s3cret-value');
  });

  test('readCredentials: the values of the env vars the manifest names; an unset one is named', () => {
    const target = clusterTarget(SEED_004, 'k3s');
    expect(readCredentials(target, { REGISTRY_USER: 'ci', REGISTRY_PASSWORD: 'pw' })).toEqual({
      'registry.example.com': { username: 'ci', password: 'pw' },
    });
    expect(() => readCredentials(target, { REGISTRY_USER: 'ci' })).toThrow(
      '--with-credentials: REGISTRY_PASSWORD (registry.hosts."registry.example.com") is not set in the environment',
    );
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
    expect(text).toContain('cluster-config --with-credentials');
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
