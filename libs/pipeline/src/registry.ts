/**
 * The registry as the pipeline sees it: one client per host of the manifest, and the
 * questions the pipeline asks (is it there, what digest does the tag point at).
 */
import { lookup } from 'node:dns/promises';
import { createRegistryClient, type RegistryClient } from '@imagefleet/registry';
import type { Manifest } from '@imagefleet/manifest';

/**
 * The manifest's `insecure` is authoritative (it already defaults to true for loopback hosts):
 * `insecure: false` on a loopback host means HTTPS, as the user wrote.
 */
function clientFor(host: string, manifest: Manifest, env: NodeJS.ProcessEnv): RegistryClient {
  const { insecure } = manifest.registry;
  // One client per host and environment in a process: a run that checks forty services shares
  // its credentials, tokens and blob-request limit instead of starting over for each.
  const key = `${insecure ? 'http' : 'https'}://${host}`;
  let byHost = clients.get(env);
  if (!byHost) clients.set(env, (byHost = new Map()));
  let client = byHost.get(key);
  if (!client) byHost.set(key, (client = createRegistryClient({ host, insecure, scheme: insecure ? 'http' : 'https', env })));
  return client;
}
const clients = new WeakMap<NodeJS.ProcessEnv, Map<string, RegistryClient>>();

export function pushClient(manifest: Manifest, env: NodeJS.ProcessEnv): RegistryClient {
  return clientFor(manifest.registry.pushHost, manifest, env);
}

/** The reference host's client, only when it differs from the push host and resolves from here. */
export async function referenceClient(manifest: Manifest, env: NodeJS.ProcessEnv): Promise<RegistryClient | null> {
  const { host, pushHost } = manifest.registry;
  if (host === pushHost) return null;
  const hostname = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  try {
    await lookup(hostname);
  } catch {
    return null;
  }
  return clientFor(host, manifest, env);
}

/** Build arg naming for a dependency's image: `platform-base` → `PLATFORM_BASE_IMAGE`. */
export function baseImageArg(service: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_IMAGE`;
}
