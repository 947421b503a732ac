/**
 * Does every host of the manifest resolve from this machine? `*.localhost` names are the usual
 * miss: glibc does not map them to loopback (systemd-resolved does), so the reference host of a
 * k3d set-up (`k3d-ameide.localhost`) is unknown to docker and other glibc tools unless
 * /etc/hosts has a line for it. imagefleet itself treats them as loopback (RFC 6761, the
 * registry transport's resolve.ts), so that is a pass with the line for the other tools.
 */
import { isIP } from 'node:net';
import { isLocalhostName } from '@imagefleet/registry';
import { fail, pass, type DoctorCheck } from './types.js';

export type Lookup = (name: string) => Promise<{ address: string }>;

export interface HostRole {
  host: string;
  /** Which keys of the manifest name it, e.g. `host, pushHost`. */
  roles: string[];
}

/**
 * @param etcHosts the /etc/hosts line libs/cluster suggests for the reference host, or null
 * @param builderOnly the host is only the builder's (`builderHost` ≠ pushHost): the builder resolves it, not this machine
 */
export async function resolvesHere(
  role: HostRole,
  lookup: Lookup,
  opts: { etcHosts: string | null; builderOnly: boolean; timeoutMs?: number },
): Promise<DoctorCheck> {
  const name = hostname(role.host);
  const label = `resolve ${name}`;
  if (isIP(name)) return pass(label, `an IP address (${role.roles.join(', ')})`);
  let error = '';
  try {
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })),
        opts.timeoutMs ?? 3000,
      ).unref(),
    );
    const { address } = await Promise.race([lookup(name), timeout]);
    return pass(label, `${address} (${role.roles.join(', ')})`);
  } catch (e) {
    error = (e as { code?: string }).code ?? (e as Error).message;
  }
  if (opts.builderOnly) return pass(label, `does not resolve here (${error}); only the builder uses it (builderHost)`);
  if (isLocalhostName(name))
    return pass(
      label,
      `loopback for imagefleet (RFC 6761) (${role.roles.join(', ')}); glibc does not map it (${error})${opts.etcHosts ? `: for docker and other tools, add "${opts.etcHosts}" to /etc/hosts` : ''}`,
    );
  const localhost = name.endsWith('.localhost') ? ' (glibc does not map *.localhost to loopback)' : '';
  return fail(
    label,
    `${name} (${role.roles.join(', ')}) does not resolve from this machine: ${error}${localhost}`,
    opts.etcHosts
      ? `add the line "${opts.etcHosts}" to /etc/hosts`
      : `make ${name} resolvable here (DNS, or an /etc/hosts line)`,
  );
}

/** Every distinct host of the manifest with the keys that name it. */
export function manifestHosts(registry: {
  host: string;
  pushHost: string;
  builderHost: string;
  hosts: Record<string, unknown>;
}): HostRole[] {
  const roles = new Map<string, string[]>();
  const add = (host: string, role: string) => roles.set(host, [...(roles.get(host) ?? []), role]);
  add(registry.host, 'host');
  add(registry.pushHost, 'pushHost');
  add(registry.builderHost, 'builderHost');
  for (const host of Object.keys(registry.hosts)) if (!roles.has(host)) add(host, 'registry.hosts');
  return [...roles].map(([host, r]) => ({ host, roles: r }));
}

/** `host[:port]` → the name alone (IPv6 brackets removed). */
export function hostname(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  return host.split(':').length === 2 ? host.slice(0, host.indexOf(':')) : host;
}
