/**
 * The routing model every format renders: for each name a node may see in an image field (the
 * reference host, and the push host), the server containerd falls back to and the mirrors it
 * tries first. containerd's hosts.toml, k3s's registries.yaml and KIND's certs.d are three
 * spellings of this one list.
 */
import { containerdDefaultScheme, splitHost } from './host.js';
import type { ClusterTarget } from './target.js';

export interface RegistryRoute {
  /** `host[:port]` as in image references; also the `certs.d` directory name. */
  host: string;
  /** containerd's last resort after the mirrors: the registry's real origin (the name itself when not mirrored). */
  server: string;
  /** Origins tried first, in order. Empty: containerd's default for `host` is already right. */
  mirrors: string[];
}

export function registryRoutes(target: ClusterTarget): RegistryRoute[] {
  const hosts = [...new Set([target.reference.host, target.push.host])];
  return hosts.map((host) => {
    const own = `${target.scheme}://${host}`;
    const defaultOrigin = `${containerdDefaultScheme(splitHost(host))}://${host}`;
    // The endpoint is the name itself: a mirror only when containerd would otherwise pick the
    // other scheme (an HTTP registry on a name that is not loopback, or HTTPS on loopback).
    const mirrors = target.endpoint !== own ? [target.endpoint] : own === defaultOrigin ? [] : [own];
    // The server is where the registry really is too, not the name: containerd reports the error
    // of the last host it tried, so a server on a name the node cannot resolve turned "image not
    // found" on the mirror into "no such host" (measured with containerd 1.6.20, see the e2e).
    return { host, server: mirrors[0] ?? own, mirrors };
  });
}

/** Routes that need a file: containerd's defaults do the rest. */
export function routesWithMirrors(target: ClusterTarget): RegistryRoute[] {
  return registryRoutes(target).filter((r) => r.mirrors.length > 0);
}
