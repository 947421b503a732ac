/**
 * The registry as one run sees it: a client per host of the manifest, created with the run and
 * dropped with it (credentials, tokens and connections never outlive a run, also under the Nx
 * daemon), and the questions the pipeline asks of it.
 */
import { lookup } from 'node:dns/promises';
import { createHostCircuit, createRegistryClient, resolveCredentials, type RegistryClient } from '@imagefleet/registry';
import type { PushAuth } from '@imagefleet/buildkit';
import type { Manifest } from '@imagefleet/manifest';

export interface RunRegistry {
  /** The push host's client: pushes, content tags and verification go through it. */
  push: RegistryClient;
  /** The reference host's client when it differs from the push host and resolves from here; else null. */
  reference(): Promise<RegistryClient | null>;
}

export function createRunRegistry(manifest: Manifest, env: NodeJS.ProcessEnv): RunRegistry {
  const { host, pushHost, insecure } = manifest.registry;
  // One circuit per run: once a host is known not to answer, every later request of this run
  // fails at once with the same reason instead of waiting out its own timeout.
  const circuit = createHostCircuit();
  // The manifest's `insecure` is authoritative (it already defaults to true for loopback hosts).
  const clientFor = (h: string) => createRegistryClient({ host: h, insecure, scheme: insecure ? 'http' : 'https', env, circuit });
  const push = clientFor(pushHost);
  let reference: Promise<RegistryClient | null> | undefined;
  return {
    push,
    reference: () =>
      (reference ??= (async () => {
        if (host === pushHost) return null;
        try {
          await lookup(host.replace(/:\d+$/, '').replace(/^\[|\]$/g, ''));
        } catch {
          return null;
        }
        return clientFor(host);
      })()),
  };
}

/** Build arg naming for a dependency's image: `platform-base` → `PLATFORM_BASE_IMAGE`. */
export function baseImageArg(service: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_IMAGE`;
}

/**
 * The credentials the engine pushes with: the same ones this run's registry client found for the
 * push host (IMAGEFLEET_REGISTRY_USER/_PASSWORD, docker's config.json, helpers), so what preflight
 * accepted is what the push uses. `null`: anonymous.
 */
export async function pushAuth(ctx: { manifest: Manifest; env: NodeJS.ProcessEnv }): Promise<PushAuth | null> {
  const { credentials } = await resolveCredentials(ctx.manifest.registry.pushHost, { env: ctx.env });
  if (!credentials) return null;
  return { username: credentials.username, password: credentials.password, serveraddress: ctx.manifest.registry.pushHost };
}
