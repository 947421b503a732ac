import { join } from 'node:path';
import type { CreateNodes, CreateNodesContext, ProjectConfiguration } from '@nx/devkit';
import { loadManifest } from '@imagefleet/manifest';
import { imageTarget, pushTarget, verifyTarget, type TargetContext } from './targets.js';

async function createNodesForManifest(manifestFile: string, _options: unknown, context: CreateNodesContext) {
  const manifest = await loadManifest(join(context.workspaceRoot, manifestFile));
  const ctx: TargetContext = { manifest: manifestFile };
  const projects: Record<string, ProjectConfiguration> = {};
  /** Which service's project owns each build context folder (the first to name it). */
  const owners = new Map<string, string>();
  for (const service of manifest.services) {
    // Nx keys projects by folder; one folder with several Dockerfiles (an API and its worker
    // built from the same sources) is common. The first service owns the folder; each other one
    // gets a root of its own inside it and depends on the owner, so a change to the folder's
    // files makes it affected too.
    const owner = owners.get(service.contextRel);
    if (!owner) owners.set(service.contextRel, service.name);
    const root = owner
      ? `${service.contextRel === '.' ? '' : `${service.contextRel}/`}.imagefleet/${service.name}`
      : service.contextRel;
    projects[root] = {
      name: service.name,
      root,
      projectType: 'application',
      tags: ['imagefleet:image'],
      implicitDependencies: owner
        ? [...service.dependsOn, owner].filter((d, i, all) => all.indexOf(d) === i)
        : service.dependsOn,
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

const MANIFEST = 'services.manifest.yaml';

export const createNodes: CreateNodes = [
  // nx.json too: a workspace that uses this plugin but lost its manifest must fail the graph
  // with one line, not run no task and exit 0 (a green CI that pushed nothing).
  `{nx.json,${MANIFEST}}`,
  // Not @nx/devkit's createNodesFromFiles: loading @nx/devkit costs ~0.4 s in every plugin
  // worker Nx starts. A manifest error propagates; Nx reports it with the plugin's name.
  async (files, options, context) => {
    const manifests = files.filter((f) => f === MANIFEST);
    if (!manifests.length) {
      const message = `${join(context.workspaceRoot, MANIFEST)}: not found — imagefleet's Nx plugin (nx.json plugins) needs it: restore it, or remove the plugin from nx.json`;
      // Nx 23 shows a plugin's error only with --verbose ("Failed to process project graph"):
      // the one line goes to stderr itself, which Nx pipes through from its plugin worker, and
      // the error waits until it has been written so Nx does not exit before printing it.
      await new Promise<void>((done) => process.stderr.write(`${message}\n`, () => done()));
      await new Promise((settle) => setTimeout(settle, 100));
      throw new Error(message);
    }
    return Promise.all(
      manifests.map(async (file) => [file, await createNodesForManifest(file, options, context)] as const),
    );
  },
];
