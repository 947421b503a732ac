import { describe, expect, test } from 'vitest';
import type { ServiceSpec } from '@imagefleet/manifest';
import { testManifest } from '@imagefleet/manifest/testing';
import { gitopsKeeps } from './keeps.js';

const D = `sha256:${'d'.repeat(64)}`;
const svc = (name: string, tags = ['dev', 'dev-{shortSha}-{timestamp}']): ServiceSpec => ({
  ...{ name, context: '', contextRel: '', dockerfile: '', dockerfileRel: '', secrets: [], buildArgs: {} },
  ...{ dependsOn: [], labels: {}, addHosts: {}, line: 1, tags },
});
const manifest = testManifest({ services: [svc('web'), svc('api'), svc('plain', ['dev'])] });
const keeps = gitopsKeeps(manifest);

describe('gitopsKeeps', () => {
  test('what the Flux policy selects now', () => {
    const tags = { dev: 'sha256:b', 'dev-1111111-1700000100': 'sha256:a', 'dev-2222222-1700000200': 'sha256:b' };
    expect(keeps.selected(svc('web'), tags)).toEqual({
      'sha256:b': 'selected by the Flux policy flux-system:web (dev-2222222-1700000200)',
    });
    expect(keeps.selected(manifest.services[2]!, tags)).toEqual({});
  });

  test('image, tag and digest markers; a name marker and other policies name nothing', () => {
    const text = [
      'web: r:5000/ns/web:dev-1111111-1700000100 # {"$imagepolicy": "flux-system:web"}',
      'api:',
      '  repository: r:5000/ns/api # {"$imagepolicy": "flux-system:api:name"}',
      '  tag: dev-2222222-1700000200 # {"$imagepolicy": "flux-system:api:tag"}',
      `  digest: ${D} # {"$imagepolicy": "flux-system:api:digest"}`,
      'other: x:1 # {"$imagepolicy": "flux-system:other"}',
      '',
    ].join('\n');
    expect(keeps.marked(text, 'gitops/values.yaml')).toEqual(
      new Map([
        ['web', { digests: {}, tags: { 'dev-1111111-1700000100': 'named by the marker on gitops/values.yaml:1' } }],
        [
          'api',
          {
            digests: { [D]: 'named by the marker on gitops/values.yaml:5' },
            tags: { 'dev-2222222-1700000200': 'named by the marker on gitops/values.yaml:4' },
          },
        ],
      ]),
    );
  });
});
