import type { HostSettings, Manifest, RegistryConfig } from '@imagefleet/manifest';
import { serviceSpec, testManifest } from '@imagefleet/manifest/testing';

/** The seeds' registry: k3d reference host, pushed through the host-published port. */
export const SEED_REGISTRY: Omit<RegistryConfig, 'hosts'> = {
  host: 'k3d-ameide.localhost:5001',
  pushHost: 'localhost:5001',
  builderHost: 'localhost:5001',
  namespace: 'ameide',
  insecure: true,
};

/** Settings of a host the manifest names without a `registry.hosts` entry. */
export function plainHost(insecure: boolean, own: Partial<HostSettings> = {}): HostSettings {
  return { insecure, caFile: null, credentialsEnv: null, dockerConfig: null, ...own };
}

/**
 * A normalised manifest under `/w` with two services and `registry` overlaid on the seeds'; every
 * host named gets the registry-wide `insecure` unless `hosts` says otherwise (as normalise does).
 */
export function manifestWith(
  registry: Partial<RegistryConfig> = {},
  cluster: Manifest['cluster'] = { endpoint: null },
): Manifest {
  const pushHost = registry.pushHost ?? SEED_REGISTRY.pushHost;
  const merged = { ...SEED_REGISTRY, pushHost, builderHost: pushHost, ...registry };
  const named = [merged.host, merged.pushHost, merged.builderHost];
  const hosts = Object.fromEntries(named.map((h) => [h, plainHost(merged.insecure)]));
  return testManifest({
    registry: { ...merged, hosts: { ...hosts, ...registry.hosts } },
    cluster,
    services: [serviceSpec('platform-base'), serviceSpec('www-ameide', { dependsOn: ['platform-base'] })],
  });
}
