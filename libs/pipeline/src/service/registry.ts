/**
 * The registry as one run sees it: a client per host of the manifest, each with that host's own
 * settings (`registry.hosts.<host>`: scheme, CA file, credentials), created with the run and
 * dropped with it (credentials, tokens and connections never outlive a run, also under the Nx
 * daemon), and the questions the pipeline asks of it.
 */
import {
  createHostCircuit,
  createRegistryClient,
  resolveCredentials,
  resolveHost,
  type HostCircuit,
  type NetworkFailureKind,
  type RegistryClient,
  type RegistryClientOptions,
} from '@imagefleet/registry';
import type { PushAuth } from '@imagefleet/buildkit';
import type { HostSettings, Manifest } from '@imagefleet/manifest';

/** The reference host (`registry.host`) as this machine can check it. */
export type ReferenceHost =
  /** It is the push host: the push host's check is its check. */
  | { status: 'same' }
  | { status: 'reachable'; client: RegistryClient }
  /** It does not resolve from here, or nothing answers there: said in the row, never skipped silently. */
  | { status: 'not-checked'; reason: string };

export interface RunRegistry {
  /** The push host's client: pushes, content tags and verification go through it. */
  push: RegistryClient;
  /** The reference host, asked once per run whether it can be checked from here. */
  reference(): Promise<ReferenceHost>;
  /** The client of any host (`builderHost`, …), with its `registry.hosts` settings; one per host and run. */
  client(host: string): RegistryClient;
  /**
   * The credentials the engine pushes with (X-Registry-Auth): what this run's push client finds
   * for the push host, looked up once per run (a credential helper is a process to start).
   */
  pushAuth(): Promise<PushAuth | null>;
}

/** Failures that mean "cannot be checked from here", not "checked and wrong" (a bad certificate is wrong). */
const NOT_FROM_HERE = new Set<NetworkFailureKind>(['dns', 'refused', 'timeout']);

export function createRunRegistry(manifest: Manifest, env: NodeJS.ProcessEnv): RunRegistry {
  const { host, pushHost } = manifest.registry;
  // One circuit per run: once a host is known not to answer, every later request of this run
  // fails at once with the same reason instead of waiting out its own timeout.
  const circuit = createHostCircuit();
  const clients = new Map<string, RegistryClient>();
  const client = (h: string): RegistryClient => {
    let made = clients.get(h);
    if (!made)
      clients.set(h, (made = createRegistryClient(hostClientOptions(h, settingsOf(manifest, h), env, circuit))));
    return made;
  };
  const push = client(pushHost);
  let reference: Promise<ReferenceHost> | undefined;
  let auth: Promise<PushAuth | null> | undefined;
  return {
    push,
    client,
    reference: () =>
      (reference ??= host === pushHost ? Promise.resolve({ status: 'same' }) : probeReference(host, client(host))),
    pushAuth: () => (auth ??= pushCredentials(manifest, env)),
  };
}

/** A host's settings; a host the manifest does not name gets the registry-wide scheme and defaults. */
export function settingsOf(manifest: Manifest, host: string): HostSettings {
  return (
    manifest.registry.hosts[host] ?? {
      insecure: manifest.registry.insecure,
      caFile: null,
      credentialsEnv: null,
      dockerConfig: null,
    }
  );
}

/** The client options for one host: the manifest's settings are authoritative (scheme included). */
export function hostClientOptions(
  host: string,
  settings: HostSettings,
  env: NodeJS.ProcessEnv,
  circuit?: HostCircuit,
): RegistryClientOptions {
  return {
    host,
    insecure: settings.insecure,
    scheme: settings.insecure ? 'http' : 'https',
    env,
    ...(circuit && { circuit }),
    ...(settings.caFile !== null && { caFile: settings.caFile }),
    ...(settings.credentialsEnv !== null && { credentialsEnv: settings.credentialsEnv }),
    ...(settings.dockerConfig !== null && { dockerConfigDir: settings.dockerConfig }),
  };
}

/** Does the name resolve, and does something answer there? Anything else (TLS, auth) is for verify to report. */
async function probeReference(host: string, client: RegistryClient): Promise<ReferenceHost> {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  try {
    await resolveHost(name);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'ENOTFOUND';
    return {
      status: 'not-checked',
      reason: `${name} does not resolve from this machine (${code}): add it to /etc/hosts or DNS to have ${host} checked`,
    };
  }
  const ping = await client.ping();
  if (ping.status === 'unreachable' && ping.network && NOT_FROM_HERE.has(ping.network))
    return { status: 'not-checked', reason: ping.detail };
  return { status: 'reachable', client };
}

/** Build arg naming for a dependency's image: `platform-base` → `PLATFORM_BASE_IMAGE`. */
export function baseImageArg(service: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_IMAGE`;
}

/** The push host's credentials, found the way its client finds them (`registry.hosts` settings first). */
async function pushCredentials(manifest: Manifest, env: NodeJS.ProcessEnv): Promise<PushAuth | null> {
  const { pushHost } = manifest.registry;
  const { credentials } = await resolveCredentials(pushHost, {
    ...hostClientOptions(pushHost, settingsOf(manifest, pushHost), env),
    env,
  });
  if (!credentials) return null;
  return { username: credentials.username, password: credentials.password, serveraddress: pushHost };
}
