/**
 * Name resolution for registry hosts, one rule for every request and check: names under
 * `localhost.` are loopback (RFC 6761 §6.3), as curl and browsers treat them, though glibc does
 * not map `*.localhost` by itself. So a reference host like `k3d-ameide.localhost:5001` is checked
 * on this machine without an /etc/hosts line; every other name goes to the system resolver.
 */
import dns, { type LookupAddress, type LookupOptions } from 'node:dns';

/** `localhost` or a name under it (`k3d-ameide.localhost`), any case, trailing dot allowed. */
export function isLocalhostName(name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return n === 'localhost' || n.endsWith('.localhost');
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family: number) => void;

/**
 * `dns.lookup`'s signature, for `http.request({ lookup })`: `*.localhost` answers 127.0.0.1 (the
 * address local registries bind); `localhost` itself and every other name ask the system.
 */
export function lookupHost(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  if (hostname.toLowerCase() === 'localhost' || !isLocalhostName(hostname)) {
    dns.lookup(hostname, options, callback);
    return;
  }
  const address = { address: '127.0.0.1', family: 4 };
  process.nextTick(() => (options.all ? callback(null, [address], 4) : callback(null, address.address, 4)));
}

/** The promise form, for checks that only ask "does it resolve, and to what". */
export function resolveHost(hostname: string): Promise<LookupAddress> {
  return new Promise((resolve, reject) =>
    lookupHost(hostname, {}, (err, address, family) =>
      err ? reject(err) : resolve({ address: address as string, family }),
    ),
  );
}
