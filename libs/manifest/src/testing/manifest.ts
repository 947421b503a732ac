import { fluxConfig } from '../normalise.js';
import type { BuilderConfig, Manifest, RegistryConfig } from '../types.js';

export interface TestManifestOverrides extends Partial<Omit<Manifest, 'registry' | 'builder'>> {
  registry?: Partial<RegistryConfig>;
  builder?: Partial<BuilderConfig>;
}

/**
 * A normalised manifest for tests: `/w/services.manifest.yaml`, registry `r:5000/ns` over plain
 * HTTP, the defaults everywhere else; `registry` and `builder` are merged field by field.
 */
export function testManifest(overrides: TestManifestOverrides = {}): Manifest {
  const { registry, builder, ...rest } = overrides;
  return {
    file: '/w/services.manifest.yaml',
    root: '/w',
    concurrency: { push: 2, build: null },
    push: { retries: 3, stallSeconds: 60, timeoutSeconds: 1800 },
    retention: { keep: 5 },
    cache: { registry: null },
    overrides: [],
    cluster: { endpoint: null },
    flux: fluxConfig(null),
    summary: { keepRuns: 20 },
    services: [],
    ...rest,
    registry: {
      host: 'r:5000',
      pushHost: 'r:5000',
      builderHost: 'r:5000',
      namespace: 'ns',
      insecure: true,
      hosts: {},
      ...registry,
    },
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
      ...builder,
    },
  };
}
