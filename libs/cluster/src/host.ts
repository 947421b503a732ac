/**
 * `host[:port]` as it appears in image references, split the way containerd and k3d read it.
 * The loopback rule is the registry transport's (one rule for "plain HTTP by default").
 */
import { isLoopbackHost } from '@imagefleet/registry';

export interface HostPort {
  /** As written, e.g. `k3d-ameide.localhost:5001`. */
  host: string;
  /** Without the port (IPv6 without brackets), e.g. `k3d-ameide.localhost`. */
  name: string;
  /** `null` when the host names no port. */
  port: number | null;
  loopback: boolean;
}

export function splitHost(host: string): HostPort {
  let name = host;
  let port: number | null = null;
  const bracket = host.startsWith('[') ? host.indexOf(']') : -1;
  if (bracket !== -1) {
    name = host.slice(1, bracket);
    if (host[bracket + 1] === ':') port = Number(host.slice(bracket + 2));
  } else {
    const colon = host.lastIndexOf(':');
    // A bare IPv6 address has several colons and no port.
    if (colon !== -1 && host.indexOf(':') === colon) {
      name = host.slice(0, colon);
      port = Number(host.slice(colon + 1));
    }
  }
  return { host, name, port, loopback: isLoopbackHost(host) };
}

/** An IPv4/IPv6 literal, which `/etc/hosts` cannot and need not map. */
export function isIpLiteral(name: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(':');
}

/**
 * The scheme containerd uses for a host with no `hosts.toml`: plain HTTP for `localhost` or a
 * loopback IP on a port other than 443, HTTPS otherwise (`*.localhost` names included).
 * Observed with ctr 1.6.20: `127.0.0.1:<port>` and `localhost:<port>` pull over http:// directly.
 */
export function containerdDefaultScheme(host: HostPort): 'http' | 'https' {
  return host.loopback && host.port !== null && host.port !== 443 ? 'http' : 'https';
}
