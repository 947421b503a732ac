import { describe, expect, test } from 'vitest';
import { imageReferences, imageRepository } from './references.js';
import type { ServiceSpec } from './types.js';
import { testManifest } from './testing/manifest.js';
import { serviceSpec } from './testing/service-spec.js';

const service = (name: string, tags: string[]): ServiceSpec => serviceSpec(name, { tags });

const manifest = testManifest({
  registry: {
    host: 'k3d-ameide.localhost:5001',
    pushHost: 'localhost:5001',
    builderHost: 'localhost:5001',
    namespace: 'ameide',
  },
  services: [service('web', ['dev', 'latest']), service('api', ['dev'])],
});

describe('image references', () => {
  test('repository is namespace/service', () => {
    expect(imageRepository(manifest, 'web')).toBe('ameide/web');
  });

  test('one reference per tag, the primary tag first, for clusters, pushes and local builds', () => {
    expect(imageReferences(manifest, 'web')).toEqual({
      reference: ['k3d-ameide.localhost:5001/ameide/web:dev', 'k3d-ameide.localhost:5001/ameide/web:latest'],
      push: ['localhost:5001/ameide/web:dev', 'localhost:5001/ameide/web:latest'],
      local: ['ameide/web:dev', 'ameide/web:latest'],
      builder: ['localhost:5001/ameide/web:dev', 'localhost:5001/ameide/web:latest'],
    });
  });

  test('accepts the service itself', () => {
    expect(imageReferences(manifest, manifest.services[1]!).push).toEqual(['localhost:5001/ameide/api:dev']);
  });

  test('an unknown service name throws, naming the known ones', () => {
    expect(() => imageReferences(manifest, 'wbe')).toThrow(
      '/w/services.manifest.yaml: no service "wbe" (services: web, api)',
    );
  });
});
