import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Manifest } from '../types.js';
import type { Problem } from '../problem.js';

/**
 * Each service's build context and Dockerfile must be there, and the context inside the
 * workspace (the manifest's directory), symlinks followed: a service's Nx project root is its
 * context, and a root outside the workspace (`../…`) is one `nx affected` can never select. A
 * defaulted path is reported at the service (the loader falls back to the nearest key that
 * exists), an explicit one at its value.
 */
export function fileProblems(manifest: Manifest): Problem[] {
  const problems: Problem[] = [];
  for (const service of manifest.services) {
    const { name, contextRel, dockerfileRel } = service;
    const context = kind(service.context);
    if (context !== 'directory') {
      const message =
        context === 'missing'
          ? `context directory ${contextRel} does not exist: create it or set services.${name}.context`
          : `context ${contextRel} is not a directory: point services.${name}.context at the directory to build`;
      problems.push({ path: ['services', name, 'context'], message });
      continue; // its Dockerfile cannot be there either
    }
    const outside = outsideWorkspace(manifest.root, service.context);
    if (outside) {
      const via = outside === contextRel ? '' : ` (a symlink to ${outside})`;
      problems.push({
        path: ['services', name, 'context'],
        message: `context ${contextRel}${via} is outside the workspace ${manifest.root}: move the service under it (Nx projects live inside the workspace)`,
      });
      continue;
    }
    if (kind(service.dockerfile) !== 'file') {
      problems.push({
        path: ['services', name, 'dockerfile'],
        message: `Dockerfile ${dockerfileRel} does not exist: add it or set services.${name}.dockerfile (relative to the context)`,
      });
    }
  }
  return problems;
}

function kind(file: string): 'missing' | 'directory' | 'file' {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat) return 'missing';
  return stat.isDirectory() ? 'directory' : 'file';
}

/** Where `context` really is, relative to the workspace, when that is outside it; else null. */
function outsideWorkspace(root: string, context: string): string | null {
  const realRoot = realpathSync(root);
  const real = realpathSync(context);
  const rel = path.relative(realRoot, real);
  if (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel)) return null;
  return path.relative(root, real) || real;
}
