/**
 * The routing model every format renders: for each name a node may see in an image field (the
 * reference host, the push host, the builder host), where containerd sends the requests, with
 * that place's own scheme, CA and credentials. containerd's hosts.toml, k3s's registries.yaml and
 * KIND's certs.d are three spellings of this one list.
 *
 * Two kinds of name:
 * - **behind loopback**: the push host when it is loopback, `*.localhost` names (RFC 6761: this
 *   machine; `k3d-ameide.localhost:5001` for `localhost:5001`), and loopback addresses on the
 *   push host's port. A node
 *   cannot reach this machine's loopback, so these go to `target.endpoint`, where nodes reach
 *   that registry (the push host itself on k3s/containerd, the registry container on k3d/KIND,
 *   or the manifest's `cluster.endpoint`).
 * - **of its own**: any other name (`registry.example.com`, `10.42.2.16:3000`, `127.0.0.2:5443`),
 *   reached by itself with its own `registry.hosts` settings: an HTTP push host gets `http://`,
 *   an HTTPS reference host its CA, and neither is sent to the other.
 */
import type { HostSettings } from '@imagefleet/manifest';
import { isLocalhostName } from '@imagefleet/registry';
import { containerdDefaultScheme, splitHost, type HostPort } from './host.js';
import type { ClusterTarget } from './target.js';

/** One place containerd sends requests to. */
export interface NodeEndpoint {
  /** `scheme://host[:port]`, no path. */
  origin: string;
  /** This machine's path of the PEM CA that signed the endpoint's certificate; null: the system's CAs. */
  caFile: string | null;
  /** Env vars the manifest names for this endpoint's user and password; null: none. */
  credentialsEnv: { username: string; password: string } | null;
}

export interface RegistryRoute {
  /** `host[:port]` as in image references; also the `certs.d` directory name. */
  host: string;
  /** Which keys of the manifest name it: `host`, `pushHost`, `builderHost`. */
  roles: string[];
  /** containerd's last resort after the mirrors: the same place as the first mirror (see below). */
  server: NodeEndpoint;
  /** Tried first, in order. Empty: containerd's default for `host` is already right (no file). */
  mirrors: NodeEndpoint[];
}

const NO_SETTINGS: HostSettings = { insecure: false, caFile: null, credentialsEnv: null, dockerConfig: null };

export function registryRoutes(target: ClusterTarget): RegistryRoute[] {
  const roles = new Map<string, string[]>();
  for (const [role, host] of [
    ['host', target.reference],
    ['pushHost', target.push],
    ['builderHost', target.builder],
  ] as const)
    roles.set(host.host, [...(roles.get(host.host) ?? []), role]);
  return [...roles].map(([host, hostRoles]) => {
    const name = splitHost(host);
    const endpoint = behindLoopback(name, target.push) ? endpointOf(target) : ownEndpoint(name, target);
    const containerdDefault = `${containerdDefaultScheme(name)}://${host}`;
    const mirrors = endpoint.origin === containerdDefault && endpoint.caFile === null ? [] : [endpoint];
    // The server is where the registry really is too, not the name: containerd reports the error
    // of the last host it tried, so a server on a name the node cannot resolve turned "image not
    // found" on the mirror into "no such host" (measured with containerd 1.6.20, see the e2e).
    return { host, roles: hostRoles, server: endpoint, mirrors };
  });
}

/** Routes that need a file: containerd's defaults do the rest. */
export function routesWithMirrors(target: ClusterTarget): RegistryRoute[] {
  return registryRoutes(target).filter((r) => r.mirrors.length > 0);
}

function behindLoopback(name: HostPort, push: HostPort): boolean {
  if (name.host === push.host) return push.loopback;
  if (!push.loopback) return false;
  // A node's containerd cannot resolve `*.localhost` at all: such a name only ever means the
  // registry on this machine, whatever its port (a wrong one is then refused, not "no such host").
  if (isLocalhostName(name.name) && name.name.toLowerCase() !== 'localhost') return true;
  return name.loopback && name.port === push.port;
}

/** Where nodes reach the registry behind loopback, with the settings `registry.hosts` gives that address. */
function endpointOf(target: ClusterTarget): NodeEndpoint {
  const host = target.endpoint.replace(/^[a-z]+:\/\//, '');
  const settings = target.hosts[host] ?? NO_SETTINGS;
  return { origin: target.endpoint, caFile: settings.caFile, credentialsEnv: settings.credentialsEnv };
}

function ownEndpoint(name: HostPort, target: ClusterTarget): NodeEndpoint {
  const settings = target.hosts[name.host] ?? NO_SETTINGS;
  return {
    origin: `${settings.insecure ? 'http' : 'https'}://${name.host}`,
    caFile: settings.caFile,
    credentialsEnv: settings.credentialsEnv,
  };
}
