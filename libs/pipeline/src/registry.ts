/**
 * The registry as the pipeline sees it: one client per host of the manifest, and the
 * questions the pipeline asks (is it there, what digest does the tag point at).
 */
import { lookup } from 'node:dns/promises';
import { createRegistryClient, type RegistryClient } from '@imagefleet/registry';
import type { Manifest } from '@imagefleet/manifest';

export function pushClient(manifest: Manifest, env: NodeJS.ProcessEnv): RegistryClient {
  return createRegistryClient({ host: manifest.registry.pushHost, insecure: manifest.registry.insecure, env });
}

/** The reference host's client, only when it differs from the push host and resolves from here. */
export async function referenceClient(manifest: Manifest, env: NodeJS.ProcessEnv): Promise<RegistryClient | null> {
  const { host, pushHost, insecure } = manifest.registry;
  if (host === pushHost) return null;
  const hostname = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  try {
    await lookup(hostname);
  } catch {
    return null;
  }
  return createRegistryClient({ host, insecure, env });
}

/** Build arg naming for a dependency's image: `platform-base` → `PLATFORM_BASE_IMAGE`. */
export function baseImageArg(service: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_IMAGE`;
}
