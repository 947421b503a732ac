import { afterEach, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest, ServiceSpec } from '@imagefleet/manifest';
import { testManifest } from '@imagefleet/manifest/testing';
import { protectedImages, type GitOpsKeeps, type Protected } from './references.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const D = `sha256:${'d'.repeat(64)}`;
const svc = (name: string): ServiceSpec => ({
  ...{ name, context: '', contextRel: '', dockerfile: '', dockerfileRel: '', secrets: [], buildArgs: {} },
  ...{ dependsOn: [], labels: {}, addHosts: {}, line: 1, tags: ['dev'] },
});

function workspace(values: string): Manifest {
  const root = mkdtempSync(join(tmpdir(), 'imagefleet-refs-'));
  dirs.push(root);
  mkdirSync(join(root, 'gitops'));
  writeFileSync(join(root, 'gitops', 'values.yaml'), values);
  return testManifest({ file: join(root, 'services.manifest.yaml'), root, services: [svc('web'), svc('api')] });
}

describe('protectedImages: what the GitOps side names in a values file stays', () => {
  const gitops = (found: ReturnType<GitOpsKeeps['marked']>): GitOpsKeeps => ({
    selected: () => ({}),
    marked: () => found,
  });

  test('the markers a values file holds protect their tags and digests, per service', async () => {
    const manifest = workspace('web: r:5000/ns/web:x # {"$imagepolicy": "flux-system:web"}\n');
    const marked = new Map<string, Protected>([
      ['web', { digests: {}, tags: { 'dev-1111111-1700000100': 'named by the marker on gitops/values.yaml:1' } }],
      ['gone', { digests: { [D]: 'x' }, tags: {} }],
    ]);
    const found = await protectedImages(
      manifest,
      manifest.services,
      {},
      { file: 'gitops/values.yaml', path: 'image.ref' },
      gitops(marked),
    );
    expect(found.get('web')).toEqual(marked.get('web'));
    expect(found.has('gone')).toBe(false);
  });

  test('a file with neither the path nor a marker is still an error', async () => {
    const manifest = workspace('replicas: 2\n');
    await expect(
      protectedImages(
        manifest,
        manifest.services,
        {},
        { file: 'gitops/values.yaml', path: 'image.ref' },
        gitops(new Map()),
      ),
    ).rejects.toThrow('gitops/values.yaml: no image reference at image.ref');
  });
});
