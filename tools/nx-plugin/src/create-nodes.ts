import { join } from 'node:path';
import type { CreateNodes, CreateNodesContext, ProjectConfiguration } from '@nx/devkit';
import { loadManifest } from '@imagefleet/manifest';
import { imageTarget, pushTarget, verifyTarget, type TargetContext } from './targets.js';

async function createNodesForManifest(manifestFile: string, _options: unknown, context: CreateNodesContext) {
  const manifest = await loadManifest(join(context.workspaceRoot, manifestFile));
  const ctx: TargetContext = { manifest: manifestFile };
  const projects: Record<string, ProjectConfiguration> = {};
  for (const service of manifest.services) {
    projects[service.contextRel] = {
      name: service.name,
      root: service.contextRel,
      projectType: 'application',
      tags: ['imagefleet:image'],
      implicitDependencies: service.dependsOn,
      targets: {
        image: imageTarget(service, ctx),
        push: pushTarget(service, ctx),
        verify: verifyTarget(service, ctx),
      },
      metadata: { targetGroups: { Image: ['image', 'push', 'verify'] } },
    };
  }
  return { projects };
}

export const createNodes: CreateNodes = [
  'services.manifest.yaml',
  // Not @nx/devkit's createNodesFromFiles: loading @nx/devkit costs ~0.4 s in every plugin
  // worker Nx starts. A manifest error propagates; Nx reports it with the plugin's name.
  async (files, options, context) => Promise.all(files.map(async (file) => [file, await createNodesForManifest(file, options, context)] as const)),
];

/** The pre-Nx-23 name, kept as an alias. */
export const createNodesV2 = createNodes;
