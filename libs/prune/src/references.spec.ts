import { afterEach, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fluxConfig, type Manifest, type ServiceSpec } from '@imagefleet/manifest';
import { protectedImages } from './references.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const D = `sha256:${'d'.repeat(64)}`;
const svc = (name: string): ServiceSpec => ({
  ...{ name, context: '', contextRel: '', dockerfile: '', dockerfileRel: '', secrets: [], buildArgs: {} },
  ...{ dependsOn: [], labels: {}, line: 1, tags: ['dev'] },
});

function workspace(values: string): Manifest {
  const root = mkdtempSync(join(tmpdir(), 'imagefleet-refs-'));
  dirs.push(root);
  mkdirSync(join(root, 'gitops'));
  writeFileSync(join(root, 'gitops', 'values.yaml'), values);
  return {
    ...{ file: join(root, 'services.manifest.yaml'), root },
    registry: { host: 'r:5000', pushHost: 'r:5000', builderHost: 'r:5000', namespace: 'ns', insecure: true, hosts: {} },
    ...{ concurrency: { push: 2, build: null }, push: { retries: 3, stallSeconds: 60, timeoutSeconds: 1800 } },
    ...{ builder: { driver: 'docker', docker: 'docker', name: null, endpoint: null }, retention: { keep: 5 } },
    flux: fluxConfig(null),
    services: [svc('web'), svc('api')],
  };
}

describe('protectedImages: what Flux setter markers name stays', () => {
  test('image, tag and digest markers of each service; a name marker and other policies protect nothing', async () => {
    const manifest = workspace(
      [
        'web: r:5000/ns/web:dev-1111111-1700000100 # {"$imagepolicy": "flux-system:web"}',
        'api:',
        '  repository: r:5000/ns/api # {"$imagepolicy": "flux-system:api:name"}',
        '  tag: dev-2222222-1700000200 # {"$imagepolicy": "flux-system:api:tag"}',
        `  digest: ${D} # {"$imagepolicy": "flux-system:api:digest"}`,
        'other: x:1 # {"$imagepolicy": "flux-system:other"}',
        '',
      ].join('\n'),
    );
    const found = await protectedImages(
      manifest,
      manifest.services,
      {},
      { file: 'gitops/values.yaml', path: 'image.ref' },
    );
    expect(found.get('web')).toEqual({
      digests: {},
      tags: { 'dev-1111111-1700000100': 'named by the marker on gitops/values.yaml:1' },
    });
    expect(found.get('api')).toEqual({
      digests: { [D]: 'named by the marker on gitops/values.yaml:5' },
      tags: { 'dev-2222222-1700000200': 'named by the marker on gitops/values.yaml:4' },
    });
  });

  test('a file with neither the path nor a marker is still an error', async () => {
    const manifest = workspace('replicas: 2\n');
    await expect(
      protectedImages(manifest, manifest.services, {}, { file: 'gitops/values.yaml', path: 'image.ref' }),
    ).rejects.toThrow('gitops/values.yaml: no image reference at image.ref');
  });
});
