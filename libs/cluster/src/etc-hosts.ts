/**
 * The `/etc/hosts` line that lets this machine use the reference host itself (seed failure
 * mode 5): needed when images are named by a host name (`k3d-ameide.localhost`) that only
 * means "the registry published on loopback". glibc does not map `*.localhost` by itself.
 */
import { isIpLiteral } from './host.js';
import type { ClusterTarget } from './target.js';

/** `127.0.0.1 k3d-ameide.localhost`, or null when no line helps (an IP, `localhost`, a real remote host). */
export function etcHostsLine(target: ClusterTarget): string | null {
  const { reference, push } = target;
  if (reference.name === 'localhost' || isIpLiteral(reference.name) || reference.name === push.name) return null;
  // Only a registry this machine reaches on loopback can be reached by mapping a name to loopback,
  // and only on the same port.
  if (!push.loopback || reference.port !== push.port) return null;
  const address = isIpLiteral(push.name) ? push.name : '127.0.0.1';
  return `${address} ${reference.name}`;
}
