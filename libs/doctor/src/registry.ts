/**
 * The registry hosts from this machine: does each answer `/v2/` on the scheme the manifest
 * implies (the push host, and the reference host where it differs: verify reads through it), does
 * it accept our credentials, and — on loopback — is what holds the port a registry at all (seed
 * failure mode 2: another service on the registry's port).
 */
import type { PingResult } from '@imagefleet/registry';
import { fail, pass, type DoctorCheck } from './types.js';

/** Which manifest field names the host, and its `registry.hosts` CA (a CA means HTTPS). */
export interface HostRole {
  field: 'pushHost' | 'host';
  caFile: string | null;
}

export function registryAnswers(
  host: string,
  ping: PingResult,
  role: HostRole = { field: 'pushHost', caFile: null },
): DoctorCheck {
  const name = `registry ${host}`;
  switch (ping.status) {
    case 'ok':
      return pass(name, `answers /v2/ over ${ping.scheme.toUpperCase()}`);
    case 'unauthorized':
      return pass(name, 'answers /v2/ and asks for credentials');
    case 'http-vs-https': {
      const speaksHttp = /speaks plain HTTP/.test(ping.detail);
      const fix = !speaksHttp
        ? `remove \`insecure: true\` for ${host} in services.manifest.yaml`
        : role.caFile
          ? `registry.hosts["${host}"].caFile (${role.caFile}) makes imagefleet speak HTTPS to it: remove the caFile and set insecure: true for ${host}, or serve TLS there`
          : `set \`insecure: true\` for ${host} in services.manifest.yaml (registry.insecure, or registry.hosts["${host}"].insecure)`;
      return fail(name, ping.detail.replace(/: (mark|remove) .*$/, ''), fix);
    }
    case 'unreachable':
      return fail(name, ping.detail, `start the registry (bash tools/dev-env/up.sh) or correct registry.${role.field}`);
  }
}

/** null when the ping did not get as far as credentials. */
export function credentialsAccepted(host: string, ping: PingResult): DoctorCheck | null {
  const name = `credentials ${host}`;
  if (ping.status === 'ok')
    return pass(name, ping.auth === 'anonymous' ? 'none needed (anonymous access)' : `accepted (${ping.auth})`);
  if (ping.status === 'unauthorized') {
    return fail(
      name,
      ping.detail,
      `set IMAGEFLEET_REGISTRY_USER/IMAGEFLEET_REGISTRY_PASSWORD (or registry.hosts["${host}"].usernameEnv/passwordEnv), or docker login ${host}`,
    );
  }
  return null;
}

/**
 * What answers `GET /v2/` on a loopback push host's port. A registry says
 * `Docker-Distribution-API-Version` (distribution, zot, Harbor); anything else on that port is a
 * collision, however well it answers.
 */
export async function portHolder(host: string, scheme: 'http' | 'https', timeoutMs = 3000): Promise<DoctorCheck> {
  const port = host.match(/:(\d+)$/)?.[1] ?? (scheme === 'https' ? '443' : '80');
  const name = `port ${port}`;
  let res: Response;
  try {
    res = await fetch(`${scheme}://${host}/v2/`, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    if (cause === 'ECONNREFUSED')
      return fail(
        name,
        `nothing listens on ${host}`,
        'start the registry: bash tools/dev-env/up.sh (or correct registry.pushHost)',
      );
    if (cause === 'TimeoutError') {
      return fail(
        name,
        `${host} accepts connections but sends no HTTP answer within ${timeoutMs / 1000} s: not a registry`,
        freePortFix(port),
      );
    }
    // TLS and the like: the registry line says what the scheme question is.
    return pass(name, `${host}: ${cause} (see the registry line)`);
  }
  await res.body?.cancel();
  const api = res.headers.get('docker-distribution-api-version');
  if (api) return pass(name, `a registry (${api}) holds ${host}`);
  const server = res.headers.get('server');
  return fail(
    name,
    `${host} answers GET /v2/ with HTTP ${res.status}${server ? ` (${server})` : ''} and no Docker-Distribution-API-Version: not a registry`,
    freePortFix(port),
  );
}

function freePortFix(port: string): string {
  return `free port ${port} (who holds it: ss -ltnp 'sport = :${port}') or move the registry: change the port in registry.pushHost/host and regenerate with imagefleet cluster-config`;
}
