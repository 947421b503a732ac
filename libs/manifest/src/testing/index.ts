/** Test helpers other libs' specs use: a complete ServiceSpec, temp file trees. */
export { serviceSpec } from './service-spec.js';
export { makeTree, removeTrees, type Tree } from './tmpdir.js';
