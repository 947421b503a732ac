/**
 * The builder's point of view: the engine is there (version, image store), buildx is there when
 * the manifest asks for it, and the engine will speak plain HTTP to each HTTP registry host it
 * pushes to. dockerd allows HTTP only to loopback, to `insecure-registries` entries (host names,
 * listed in `RegistryConfig.IndexConfigs` with `Secure: false`) and to addresses in
 * `InsecureRegistryCIDRs` (127.0.0.0/8 and ::1 by default) — moby registry/config.go.
 */
import { BlockList, isIP } from 'node:net';
import type { EngineInfo } from '@imagefleet/buildkit';
import type { RunResult } from '@imagefleet/process';
import { isLoopbackHost } from '@imagefleet/registry';
import { DEFAULT_DAEMON_CONFIG, type DaemonConfig } from './daemon-config.js';
import { fail, pass, type DoctorCheck } from './types.js';

/** The part of `docker info`'s `RegistryConfig` the check reads. */
export interface EngineRegistryConfig {
  IndexConfigs?: Record<string, { Name?: string; Secure?: boolean }> | null;
  InsecureRegistryCIDRs?: string[] | null;
}

export function engineCheck(info: EngineInfo | Error, where: string): DoctorCheck {
  const name = 'engine';
  if (info instanceof Error)
    return fail(
      name,
      `no Docker engine at ${where}: ${info.message}`,
      'start it (bash tools/dev-env/up.sh) or set DOCKER_HOST',
    );
  return pass(
    name,
    `Docker ${info.version} at ${where}, ${info.containerdStore ? 'containerd image store' : 'classic image store'}`,
  );
}

/**
 * @param addresses what `host` resolves to from the engine's machine (for the CIDR rule)
 * @param daemon where the engine reads its configuration (`daemonConfig`), for the fix
 */
export function engineSpeaksHttp(
  host: string,
  role: string,
  config: EngineRegistryConfig,
  addresses: readonly string[],
  daemon: Pick<DaemonConfig, 'file' | 'flags'> = { file: DEFAULT_DAEMON_CONFIG, flags: false },
): DoctorCheck {
  const name = `engine → ${host} over HTTP`;
  if (isLoopbackHost(host)) return pass(name, `loopback (${role}): the engine always allows plain HTTP there`);
  const entry = config.IndexConfigs?.[host];
  if (entry && entry.Secure === false) return pass(name, `${host} is in the engine's insecure-registries`);
  const cidrs = config.InsecureRegistryCIDRs ?? [];
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net, bits] = cidr.split('/');
    const type = isIP(net ?? '') === 6 ? 'ipv6' : 'ipv4';
    if (net && bits) list.addSubnet(net, Number(bits), type);
  }
  const inside = addresses.find((a) => isIP(a) && list.check(a, isIP(a) === 6 ? 'ipv6' : 'ipv4'));
  if (inside) return pass(name, `${host} (${inside}) is in an insecure CIDR of the engine`);
  return fail(
    name,
    `the engine speaks only HTTPS to ${host} (${role}, plain HTTP in the manifest): it is not in insecure-registries`,
    insecureFix(host, daemon),
  );
}

/** `docker buildx version`, when the manifest's builder is buildx. */
export function buildxCheck(res: Pick<RunResult, 'ok' | 'stdout' | 'reason'>, docker: string): DoctorCheck {
  if (res.ok) return pass('buildx', res.stdout.trim().split('\n')[0] ?? 'present');
  return fail(
    'buildx',
    `${docker} buildx version: ${res.reason}`,
    'install the buildx plugin (apt-get install docker-buildx-plugin), or set builder.driver: docker',
  );
}

function insecureFix(host: string, daemon: Pick<DaemonConfig, 'file' | 'flags'>): string {
  if (daemon.flags)
    return `add --insecure-registry ${host} to dockerd's command line (it sets its insecure registries by flag; the same key in ${daemon.file} would stop it starting) and restart it`;
  const restart = daemon.file === DEFAULT_DAEMON_CONFIG ? 'systemctl restart docker' : 'the way it was started';
  return `add "${host}" to "insecure-registries" in ${daemon.file} and restart dockerd (${restart})`;
}
