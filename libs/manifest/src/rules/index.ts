import type { ManifestFile } from '../schema.js';
import type { Manifest } from '../types.js';
import type { Problem } from '../problem.js';
import { dependencyProblems } from './deps.js';
import { fileProblems } from './files.js';
import { lengthProblems, registryProblems, serviceNameProblems, tagProblems } from './names.js';
import { secretProblems } from './secrets.js';
import { templateProblems } from './templates.js';
import { labelProblems } from './labels.js';

export { serviceNameProblems } from './names.js';

/**
 * Step three of three: rules across fields, on a manifest whose shape is right. `raw` keeps the
 * paths as written (list indices, which section a value came from); `manifest` has the resolved paths.
 */
export function ruleProblems(raw: ManifestFile, manifest: Manifest): Problem[] {
  const order = manifest.services.map((s) => s.name);
  return [
    ...registryProblems(raw),
    ...serviceNameProblems(order),
    ...lengthProblems(raw),
    ...tagProblems(raw),
    ...templateProblems(raw),
    ...labelProblems(raw),
    ...secretProblems(raw),
    ...dependencyProblems(raw, order),
    ...fileProblems(manifest),
  ];
}
