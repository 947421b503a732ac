import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { ServiceSpec } from '@imagefleet/manifest';
import { testManifest } from '@imagefleet/manifest/testing';
import { fluxResources } from './resources.js';

const svc = (name: string, tags: string[]): ServiceSpec => ({
  ...{ name, context: '', contextRel: '', dockerfile: '', dockerfileRel: '', secrets: [], buildArgs: {} },
  ...{ dependsOn: [], labels: {}, addHosts: {}, line: 1, tags },
});
const host = {
  insecure: false,
  caFile: '/w/ca.pem',
  credentialsEnv: { username: 'U', password: 'P' },
  dockerConfig: null,
};
const manifest = testManifest({
  registry: {
    host: 'git.example.org',
    pushHost: '10.42.2.16:3000',
    builderHost: '10.42.2.16:3000',
    namespace: 'giteaadmin',
    hosts: { 'git.example.org': host },
  },
  services: [svc('hello-app', ['dev', 'dev-{shortSha}-{timestamp}']), svc('plain', ['dev'])],
});

describe('fluxResources', () => {
  test('per followed service an ImageRepository and an ImagePolicy; one automation; a kustomization', () => {
    const { files, unfollowed } = fluxResources(manifest);
    expect(unfollowed).toEqual(['plain']);
    expect(Object.keys(files).sort()).toEqual(['hello-app.yaml', 'image-update-automation.yaml', 'kustomization.yaml']);
    const [repo, policy] = parseAllDocuments(files['hello-app.yaml']!).map((d) => d.toJS() as Record<string, unknown>);
    expect(repo).toEqual({
      apiVersion: 'image.toolkit.fluxcd.io/v1',
      kind: 'ImageRepository',
      metadata: { name: 'hello-app', namespace: 'flux-system' },
      spec: {
        image: 'git.example.org/giteaadmin/hello-app',
        interval: '5m',
        secretRef: { name: 'registry-credentials' },
        certSecretRef: { name: 'registry-ca' },
      },
    });
    expect(policy).toMatchObject({
      kind: 'ImagePolicy',
      spec: {
        imageRepositoryRef: { name: 'hello-app' },
        filterTags: { pattern: '^dev-[0-9a-f]{7}-(?P<ts>[0-9]+)$', extract: '$ts' },
        policy: { numerical: { order: 'asc' } },
      },
    });
    expect(parseAllDocuments(files['image-update-automation.yaml']!)[0]!.toJS()).toMatchObject({
      kind: 'ImageUpdateAutomation',
      spec: { sourceRef: { kind: 'GitRepository', name: 'flux-system' }, update: { path: './', strategy: 'Setters' } },
    });
  });

  test('a plain-HTTP reference host gets insecure: true', () => {
    const plain = {
      ...manifest,
      registry: {
        ...manifest.registry,
        hosts: { 'git.example.org': { ...host, insecure: true, caFile: null, credentialsEnv: null } },
      },
    };
    expect(fluxResources(plain).files['hello-app.yaml']).toContain('insecure: true');
  });
});
