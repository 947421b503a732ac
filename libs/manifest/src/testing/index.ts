/** Test helpers other libs' specs use: a complete Manifest and ServiceSpec, temp file trees. */
export { testManifest, type TestManifestOverrides } from './manifest.js';
export { serviceSpec } from './service-spec.js';
export { makeTree, removeTrees, type Tree } from './tmpdir.js';
