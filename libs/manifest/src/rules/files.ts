import { statSync } from 'node:fs';
import type { Manifest } from '../types.js';
import type { Problem } from '../problem.js';

/**
 * Each service's build context and Dockerfile must be there. A defaulted path is reported at
 * the service (the loader falls back to the nearest key that exists), an explicit one at its value.
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
