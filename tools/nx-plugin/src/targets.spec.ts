import { describe, expect, it } from 'vitest';
import { serviceSpec } from '@imagefleet/manifest/testing';
import { EXECUTORS, imageTarget, pushTarget, verifyTarget } from './targets.js';

const service = serviceSpec('agents-runtime', {
  contextRel: 'apps/agents-runtime',
  dockerfileRel: 'docker/agents.Dockerfile',
  dependsOn: ['platform-base'],
});
const ctx = { manifest: 'services.manifest.yaml' };

describe('inferred targets', () => {
  it("push: this plugin's executor, after the bases' pushes, never from Nx's cache", () => {
    const t = pushTarget(service, ctx);
    expect(t.executor).toBe(`${EXECUTORS}:push`);
    expect(t.options).toEqual({ manifest: 'services.manifest.yaml' });
    expect(t.dependsOn).toEqual([{ target: 'push', dependencies: true }]);
    expect(t.cache).toBe(false);
    expect(t.inputs).toEqual([
      '{workspaceRoot}/apps/agents-runtime/**/*',
      '{workspaceRoot}/services.manifest.yaml',
      '^default',
      '{workspaceRoot}/docker/agents.Dockerfile',
    ]);
  });

  it('image: builds after the bases are pushed; verify: no dependencies, the manifest as input', () => {
    expect(imageTarget(service, ctx).dependsOn).toEqual([{ target: 'push', dependencies: true }]);
    expect(imageTarget(service, ctx).executor).toBe(`${EXECUTORS}:image`);
    const v = verifyTarget(service, ctx);
    expect(v.dependsOn).toBeUndefined();
    expect(v.inputs).toEqual(['{workspaceRoot}/services.manifest.yaml']);
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
