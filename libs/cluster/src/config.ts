/**
 * The front: `clusterConfig(manifest, kind, opts)` → the files a cluster needs and the text a
 * person reads (what to run, the /etc/hosts line). Pure: nothing is read or written here.
 */
import type { Manifest } from '@imagefleet/manifest';
import { etcHostsLine } from './etc-hosts.js';
import { CONTAINERD2_CONFIG_PATCH, CONTAINERD_CONFIG_PATCH, containerdHostsFiles } from './hosts-toml.js';
import { k3dCommands, k3dScript } from './k3d.js';
import { kindClusterYaml, kindCommands, kindScript, localRegistryHostingYaml } from './kind.js';
import { renderRegistriesYaml } from './registries-yaml.js';
import { registryRoutes, routesWithMirrors } from './routes.js';
import { clusterTarget, type ClusterKind, type ClusterOptions, type ClusterTarget } from './target.js';

export interface ClusterConfig {
  kind: ClusterKind;
  /** Relative path (posix) → content, in the order written. */
  files: Record<string, string>;
  /** Relative path (posix) → this machine's file to copy there (a host's CA beside its hosts.toml). */
  copies: Record<string, string>;
  /** Files that hold credentials (written 0600). */
  secretFiles: string[];
  /** What the script does on a first run, for people; the script itself reads state and does only what differs. */
  commands: string[];
  /** `127.0.0.1 k3d-ameide.localhost` when this machine needs one for the reference host. */
  etcHosts: string | null;
  /** What to do, for a person: files, commands, the /etc/hosts line. */
  text: string;
  target: ClusterTarget;
}

export function clusterConfig(manifest: Manifest, kind: ClusterKind, opts: ClusterOptions = {}): ClusterConfig {
  const target = clusterTarget(manifest, kind, opts);
  const { files, copies, commands, script, notes } = byKind(target);
  const etcHosts = etcHostsLine(target);
  const allFiles = { ...files, ...(script !== null && { [`${kind}.sh`]: script }) };
  const secretFiles =
    Object.keys(target.credentials).length > 0 && 'registries.yaml' in allFiles ? ['registries.yaml'] : [];
  const text = [
    `${kind}: images ${target.reference.host}/${target.namespace}/<service>, pushed to ${target.push.host}`,
    ...routeLines(target),
    '',
    'files:',
    ...[...Object.keys(allFiles), ...Object.keys(copies)].map((f) => `  ${f}`),
    ...(script !== null
      ? [
          '',
          `run: sh ${kind}.sh${script.includes('--port N') ? ' [--port N]' : ''}  (again at any time: it does only what is missing${script.includes('port_holder') ? '; a port held by anything else is refused' : ''})`,
          'a first run does:',
          ...commands.map((c) => `  ${c}`),
        ]
      : []),
    ...(notes.length > 0 ? ['', ...notes] : []),
    ...(etcHosts
      ? [
          '',
          `imagefleet reaches ${target.reference.name} as loopback itself (RFC 6761); tools that do not (docker, glibc), in /etc/hosts:`,
          `  ${etcHosts}`,
        ]
      : []),
    '',
  ].join('\n');
  return { kind, files: allFiles, copies, secretFiles, commands, etcHosts, text, target };
}

/** `  k3d-ameide.localhost:5001 → http://localhost:5001` per name nodes may see, with what it takes. */
function routeLines(target: ClusterTarget): string[] {
  return registryRoutes(target).map((route) => {
    const to = route.mirrors[0] ?? route.server;
    const extra = [
      ...(to.caFile !== null && to.origin.startsWith('https:') ? [`CA ${to.caFile}`] : []),
      ...(to.credentialsEnv ? [`credentials $${to.credentialsEnv.username}/$${to.credentialsEnv.password}`] : []),
      ...(route.mirrors.length === 0 ? ["containerd's default, no file"] : []),
    ];
    return `  ${route.host} (${route.roles.join(', ')}) → ${to.origin}${extra.length > 0 ? ` (${extra.join('; ')})` : ''}`;
  });
}

interface KindOutput {
  files: Record<string, string>;
  copies: Record<string, string>;
  commands: string[];
  script: string | null;
  notes: string[];
}

function byKind(target: ClusterTarget): KindOutput {
  switch (target.kind) {
    case 'k3d':
      return {
        files: { 'registries.yaml': renderRegistriesYaml(target) },
        copies: {},
        commands: k3dCommands(target),
        script: k3dScript(target),
        notes: [],
      };
    case 'k3s':
      return {
        files: { 'registries.yaml': renderRegistriesYaml(target) },
        copies: {},
        commands: [],
        script: null,
        notes: [
          'k3s: copy registries.yaml to /etc/rancher/k3s/registries.yaml on every node and restart k3s;',
          'start k3s with --disable-default-registry-endpoint so a failed mirror is not retried over HTTPS.',
        ],
      };
    case 'containerd':
      return {
        ...containerdHostsFiles(target),
        commands: [],
        script: null,
        notes: [
          'containerd: copy certs.d/ to /etc/containerd/certs.d on every node (no restart needed) with, in config.toml:',
          ...CONTAINERD_CONFIG_PATCH.split('\n').map((l) => `  ${l}`),
          '(containerd 2.x, config version = 3:)',
          ...CONTAINERD2_CONFIG_PATCH.split('\n').map((l) => `  ${l}`),
          `check one node by hand: ctr -n k8s.io images pull --hosts-dir /etc/containerd/certs.d ${target.reference.host}/${target.namespace}/${target.services[0] ?? '<service>'}:<tag>`,
          ...(routesWithMirrors(target).length === 0
            ? ['(no hosts.toml needed: containerd reaches the registry by its defaults)']
            : []),
        ],
      };
    case 'kind': {
      const certs = containerdHostsFiles(target);
      return {
        files: {
          ...certs.files,
          'kind-cluster.yaml': kindClusterYaml(target),
          'local-registry-hosting.yaml': localRegistryHostingYaml(target),
        },
        copies: certs.copies,
        commands: kindCommands(target),
        script: kindScript(target),
        notes: [],
      };
    }
  }
}
