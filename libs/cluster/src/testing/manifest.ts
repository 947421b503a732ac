import { fluxConfig, type Manifest, type RegistryConfig } from '@imagefleet/manifest';
import { serviceSpec } from '@imagefleet/manifest/testing';

/** The seeds' registry: k3d reference host, pushed through the host-published port. */
export const SEED_REGISTRY: RegistryConfig = {
  host: 'k3d-ameide.localhost:5001',
  pushHost: 'localhost:5001',
  builderHost: 'localhost:5001',
  namespace: 'ameide',
  insecure: true,
  hosts: {},
};

/** A normalised manifest under `/w` with two services and `registry` overlaid on the seeds'. */
export function manifestWith(registry: Partial<RegistryConfig> = {}): Manifest {
  return {
    file: '/w/services.manifest.yaml',
    root: '/w',
    registry: { ...SEED_REGISTRY, ...registry },
    concurrency: { push: 2, build: null },
    push: { retries: 3, stallSeconds: 60, timeoutSeconds: 1800 },
    builder: {
      driver: 'docker',
      docker: 'docker',
      env: {},
      buildctl: 'buildctl',
      name: null,
      endpoint: null,
      tls: null,
      create: null,
      addHosts: {},
      network: null,
    },
    retention: { keep: 5 },
    cache: { registry: null },
    overrides: [],
    flux: fluxConfig(null),
    summary: { keepRuns: 20 },
    services: [serviceSpec('platform-base'), serviceSpec('www-ameide', { dependsOn: ['platform-base'] })],
  };
}
