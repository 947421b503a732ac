import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '@imagefleet/manifest';
import { imageTarget, pushTarget, verifyTarget } from './targets.js';

const service: ServiceSpec = {
  name: 'agents-runtime',
  context: '/w/apps/agents-runtime',
  contextRel: 'apps/agents-runtime',
  dockerfile: '/w/docker/agents.Dockerfile',
  dockerfileRel: 'docker/agents.Dockerfile',
  secrets: ['GIT_AUTH_TOKEN'],
  buildArgs: {},
  dependsOn: ['platform-base'],
  tags: ['dev'],
  line: 3,
};
const ctx = { cli: 'node tools/cli/bin/imagefleet.mjs', manifest: 'services.manifest.yaml' };

describe('inferred targets', () => {
  it('image: builds after the bases are pushed; inputs cover context, Dockerfile, manifest and the bases', () => {
    const t = imageTarget(service, ctx);
    expect(t.options.command).toBe('node tools/cli/bin/imagefleet.mjs image agents-runtime --manifest services.manifest.yaml');
    expect(t.dependsOn).toEqual([{ target: 'push', dependencies: true }]);
    expect(t.inputs).toEqual([
      '{workspaceRoot}/apps/agents-runtime/**/*',
      '{workspaceRoot}/services.manifest.yaml',
      '^default',
      '{workspaceRoot}/docker/agents.Dockerfile',
    ]);
    expect(t.cache).toBe(false);
  });

  it('push: builds itself (one task per service) after the bases are pushed; cached only under this run\'s registry answer', () => {
    const t = pushTarget(service, ctx);
    expect(t.dependsOn).toEqual([{ target: 'push', dependencies: true }]);
    expect(t.inputs).toEqual([...(imageTarget(service, ctx).inputs ?? []), { env: 'IMAGEFLEET_CACHE_KEY_AGENTS_RUNTIME' }]);
    expect(t.cache).toBe(true);
    expect(t.outputs).toEqual([]);
    expect(t.options.command).toContain('push agents-runtime');
  });

  it.each([
    ['image', imageTarget],
    ['push', pushTarget],
    ['verify', verifyTarget],
  ] as const)('%s describes itself for nx show project', (name, make) => {
    const t = make(service, ctx);
    expect(t.metadata?.description).toMatch(/agents-runtime/);
    expect(t.metadata?.help?.command).toBe(`nx run agents-runtime:${name}`);
    expect(t.metadata?.technologies).toEqual(['docker']);
  });
});
