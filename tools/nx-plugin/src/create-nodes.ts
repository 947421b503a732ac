import { join } from 'node:path';
import { createNodesFromFiles, type CreateNodes, type CreateNodesContext, type ProjectConfiguration } from '@nx/devkit';
import { loadManifest } from '@imagefleet/manifest';
import { imageTarget, pushTarget, verifyTarget, type TargetContext } from './targets.js';

/** The CLI ships beside this plugin in the workspace; targets start it from the workspace root. */
const CLI = 'node tools/cli/bin/imagefleet.mjs';

async function createNodesForManifest(manifestFile: string, _options: unknown, context: CreateNodesContext) {
  const manifest = await loadManifest(join(context.workspaceRoot, manifestFile));
  const ctx: TargetContext = {
    cli: CLI,
    manifest: manifestFile,
  };
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
  (files, options, context) => createNodesFromFiles(createNodesForManifest, files, options, context),
];

/** The pre-Nx-23 name, kept as an alias. */
export const createNodesV2 = createNodes;
