/**
 * What k3s makes of a registries.yaml: the `certs.d/<host>/hosts.toml` it renders under
 * /var/lib/rancher/k3s/agent/etc/containerd (k3s-io/k3s pkg/agent/containerd/config.go,
 * getHostConfigs + normalizeEndpointAddress). k3s is not packaged for Debian, so its input is
 * checked through this mapping against the containerd generator, whose output a real containerd
 * pulls with in the e2e.
 *
 * Rules kept: an endpoint without a scheme is http for loopback on a port other than 443, else
 * https; the registry's own default endpoint is the `server` (none with
 * --disable-default-registry-endpoint); a last endpoint equal to that default becomes the server
 * rather than a mirror; a host left with no mirrors gets no file. Paths (`/v2`, override_path),
 * rewrites and `configs` (CA, auth: rendered by k3s into the same hosts.toml) are out of scope here.
 */
import { parse } from 'yaml';
import { containerdDefaultScheme, splitHost } from './host.js';

export interface K3sHostsOptions {
  /** k3s `--disable-default-registry-endpoint`. @default false */
  disableDefaultEndpoint?: boolean;
}

/** A route as k3s would write it: origins only; `server` null when the default endpoint is disabled. */
export interface K3sRoute {
  host: string;
  server: string | null;
  mirrors: string[];
}

function normalise(endpoint: string): string {
  if (endpoint.includes('://')) return endpoint.replace(/\/(v2\/?)?$/, '');
  const host = endpoint.replace(/\/.*$/, '');
  return `${containerdDefaultScheme(splitHost(host))}://${host}`;
}

export function k3sRoutes(registriesYaml: string, opts: K3sHostsOptions = {}): K3sRoute[] {
  const parsed = (parse(registriesYaml) ?? {}) as { mirrors?: Record<string, { endpoint?: string[] } | null> };
  const routes: K3sRoute[] = [];
  for (const [host, mirror] of Object.entries(parsed.mirrors ?? {})) {
    const defaultEndpoint = normalise(host);
    const endpoints = [...new Set((mirror?.endpoint ?? []).map(normalise))];
    if (endpoints.at(-1) === defaultEndpoint) endpoints.pop();
    if (endpoints.length === 0) continue;
    routes.push({ host, server: opts.disableDefaultEndpoint ? null : defaultEndpoint, mirrors: endpoints });
  }
  return routes;
}
