/**
 * Which scheme to speak to a registry. Same rule as dockerd (moby/moby registry/config.go) and
 * containerd: plain HTTP for loopback hosts, HTTPS otherwise, unless marked insecure.
 */

export type Scheme = 'http' | 'https';

/** `host[:port]` → host without port or IPv6 brackets. */
export function hostname(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.indexOf(':');
  // A bare IPv6 address has several colons and no port.
  return colon !== -1 && host.indexOf(':', colon + 1) === -1 ? host.slice(0, colon) : host;
}

/** `localhost`, `127.0.0.0/8` or `::1`. `*.localhost` is not: containerd resolves those over HTTPS. */
export function isLoopbackHost(host: string): boolean {
  const name = hostname(host).toLowerCase();
  if (name === 'localhost' || name === '::1' || name === '0:0:0:0:0:0:0:1') return true;
  const octets = name.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}

/**
 * @param override forces a scheme (tests, registries behind unusual proxies)
 * @example schemeFor('localhost:5000', false) // 'http'
 * @example schemeFor('registry.example.com', false) // 'https'
 */
export function schemeFor(host: string, insecure: boolean, override?: Scheme): Scheme {
  if (override) return override;
  return insecure || isLoopbackHost(host) ? 'http' : 'https';
}

/** `scheme://host` with no trailing slash. */
export function originOf(host: string, scheme: Scheme): string {
  return `${scheme}://${host}`;
}
