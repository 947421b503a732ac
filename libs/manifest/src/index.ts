/**
 * `services.manifest.yaml`: read with source positions, checked in three steps
 * (shape → normalise → cross-field rules) and returned as one complete `Manifest`.
 */
export type * from './types.js';
export { loadManifest, findManifest, MANIFEST_FILE, type LoadManifestOptions } from './load.js';
export { ManifestError, SecretsError, formatIssue, type MissingSecret } from './errors.js';
export { ENGINE_VARIABLES, engineEnvFile, readEngineEnv, resolveEngineEnv, type EngineVariable } from './engine-env.js';
export { loadSecretValues, type SecretValuesOptions } from './secrets.js';
export { imageRepository, imageReferences, type ImageReferences } from './references.js';
export { normalise, type NormaliseOptions, type SourceFacts } from './normalise.js';
export { ManifestFileSchema, type ManifestFile } from './schema.js';
