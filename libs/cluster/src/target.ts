/**
 * The one normalisation step: the manifest's registry plus the caller's options, for one
 * cluster kind, into a complete `ClusterTarget`. Every generator reads only this, so a name or
 * port changed in the manifest changes every output in lockstep.
 */
import type { HostSettings, Manifest } from '@imagefleet/manifest';
import { ClusterConfigError } from './errors.js';
import { isIpLiteral, splitHost, type HostPort } from './host.js';

export const CLUSTER_KINDS = ['k3d', 'k3s', 'kind', 'containerd'] as const;
export type ClusterKind = (typeof CLUSTER_KINDS)[number];

export interface ClusterOptions {
  /** k3d / KIND cluster name. @default the registry namespace, hyphenated (`ameide`) */
  clusterName?: string;
  /**
   * Where nodes reach the registry behind the loopback names (a loopback push host and the
   * reference names that alias it): `host:port` (scheme from that host's settings) or a URL.
   * Names of their own (`registry.example.com`) are reached by themselves, with their own settings.
   * @default the manifest's `cluster.endpoint`; else k3d: `http://k3d-<name>:<containerPort>`;
   *          kind: `http://<registryContainer>:<containerPort>`; k3s, containerd: the push host (the node is this machine)
   * @example '192.168.1.20:5001'
   */
  endpoint?: string;
  /**
   * Credential values for `registries.yaml` `configs.<host>.auth`, by host, read by the caller
   * from the env vars the manifest names (`--with-credentials`). Absent: no credential is written.
   */
  credentials?: Record<string, { username: string; password: string }>;
  /** The directory the files are written to; KIND mounts `<outDir>/certs.d` into its nodes. @default 'cluster' */
  outDir?: string;
  /** KIND: the registry container's name on the `kind` network. @default 'kind-registry' */
  registryContainer?: string;
  /** The port the registry listens on inside its container (k3d, KIND). @default 5000 */
  containerPort?: number;
  /** KIND: worker nodes besides the control plane, each with certs.d mounted. @default 0 */
  workers?: number;
  /** KEP-1755 `help` URL. @default KIND's local registry page */
  help?: string;
  /** k3d: pass k3s `--disable-default-registry-endpoint` (no HTTPS fallback to the reference host). @default true */
  disableDefaultEndpoint?: boolean;
}

export interface ClusterTarget {
  kind: ClusterKind;
  /** The manifest file, for headers. */
  manifestFile: string;
  /** `registry.host`: what workloads put in image fields. */
  reference: HostPort;
  /** `registry.pushHost`: where this machine pushes. */
  push: HostPort;
  /** `registry.builderHost`: nodes may see it in image fields too (a builder inside the cluster). */
  builder: HostPort;
  namespace: string;
  /** Every host's settings (scheme, CA, credential env vars), complete: the manifest's `registry.hosts`. */
  hosts: Record<string, HostSettings>;
  clusterName: string;
  /** Origin (`scheme://host:port`, no path) where nodes reach the registry behind the loopback names. */
  endpoint: string;
  /** Credential values by host, only with `--with-credentials`; empty otherwise. */
  credentials: Record<string, { username: string; password: string }>;
  outDir: string;
  registryContainer: string;
  containerPort: number;
  workers: number;
  help: string;
  disableDefaultEndpoint: boolean;
  /** k3d: the NAME given to `k3d registry create` (the reference host without `k3d-`); null for other kinds. */
  k3dRegistryName: string | null;
  services: string[];
}

export const KIND_HELP = 'https://kind.sigs.k8s.io/docs/user/local-registry/';

export function clusterTarget(manifest: Manifest, kind: ClusterKind, opts: ClusterOptions = {}): ClusterTarget {
  if (!CLUSTER_KINDS.includes(kind)) {
    throw new ClusterConfigError(`unknown cluster kind "${String(kind)}": use one of ${CLUSTER_KINDS.join(', ')}`);
  }
  const { registry } = manifest;
  const reference = splitHost(registry.host);
  const push = splitHost(registry.pushHost);
  const hosts = registry.hosts;
  const pushSettings = hosts[push.host]!;
  const scheme = pushSettings.insecure ? 'http' : 'https';
  const containerPort = opts.containerPort ?? 5000;
  const registryContainer = opts.registryContainer ?? 'kind-registry';
  const k3dRegistryName = kind === 'k3d' ? k3dName(reference, push) : null;
  const given = opts.endpoint ?? manifest.cluster.endpoint ?? null;
  const defaultEndpoint =
    kind === 'k3d'
      ? `http://${reference.name}:${containerPort}`
      : kind === 'kind'
        ? `http://${registryContainer}:${containerPort}`
        : `${scheme}://${push.host}`;
  if (kind === 'kind' && push.port === null) {
    throw new ClusterConfigError(
      `registry.pushHost "${push.host}" names no port: KIND publishes its registry container on one, e.g. pushHost: localhost:5001`,
    );
  }
  return {
    kind,
    manifestFile: manifest.file,
    reference,
    push,
    builder: splitHost(registry.builderHost),
    namespace: registry.namespace,
    hosts,
    clusterName:
      opts.clusterName ??
      (registry.namespace
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, '-')
        .replace(/^-+|-+$/g, '') ||
        'imagefleet'),
    endpoint: origin(given ?? defaultEndpoint, endpointScheme(given, hosts, scheme)),
    credentials: opts.credentials ?? {},
    outDir: opts.outDir ?? 'cluster',
    registryContainer,
    containerPort,
    workers: opts.workers ?? 0,
    help: opts.help ?? KIND_HELP,
    disableDefaultEndpoint: opts.disableDefaultEndpoint ?? true,
    k3dRegistryName,
    services: manifest.services.map((s) => s.name),
  };
}

/** A bare `host:port` endpoint speaks what `registry.hosts` says of it, else what the push host speaks. */
function endpointScheme(
  endpoint: string | null,
  hosts: Record<string, HostSettings>,
  pushScheme: 'http' | 'https',
): 'http' | 'https' {
  const own = endpoint ? hosts[endpoint] : undefined;
  return own ? (own.insecure ? 'http' : 'https') : pushScheme;
}

/** `scheme://host[:port]` with no path or trailing slash; a bare `host:port` gets `scheme`. */
function origin(endpoint: string, scheme: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `${scheme}://${endpoint}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ClusterConfigError(
      `endpoint "${endpoint}" is not host:port or a URL, e.g. 127.0.0.1:5001 or http://registry:5000`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ClusterConfigError(`endpoint "${endpoint}": use http:// or https://`);
  }
  // URL drops a default port (:80 / :443); keep what was written instead.
  const hostPart = withScheme.replace(/^[^:]+:\/\//, '').replace(/\/.*$/, '');
  return `${url.protocol}//${hostPart}`;
}

/**
 * `k3d registry create NAME` makes a container called `k3d-NAME`, which is the name nodes reach
 * it by; the workstation reaches it by the same name through `/etc/hosts` on the published
 * port, so the reference host must be `k3d-NAME:<pushPort>`.
 */
function k3dName(reference: HostPort, push: HostPort): string {
  if (!reference.name.startsWith('k3d-') || reference.name.length === 4) {
    // An address is no container name (`k3d-127.0.0.1` is not one k3d can create or nodes resolve).
    const bare = reference.name.replace(/^k3d-/, '');
    const name = bare && !isIpLiteral(bare) ? bare : 'registry.localhost';
    throw new ClusterConfigError(
      `registry.host "${reference.host}": k3d names its registries k3d-<name>; use e.g. host: k3d-${name}:${reference.port ?? push.port ?? 5001}`,
    );
  }
  if (reference.port === null) {
    throw new ClusterConfigError(
      `registry.host "${reference.host}" names no port: k3d publishes its registry on one, e.g. ${reference.host}:5001`,
    );
  }
  if (push.loopback && push.port !== reference.port) {
    throw new ClusterConfigError(
      `registry.host "${reference.host}" and registry.pushHost "${push.host}" use different ports: k3d publishes one port, so make them equal (e.g. ${reference.name}:${push.port ?? reference.port} and ${push.name}:${push.port ?? reference.port})`,
    );
  }
  return reference.name.slice(4);
}
