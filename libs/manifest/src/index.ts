/**
 * `services.manifest.yaml`: read with source positions, checked in three steps
 * (shape → normalise → cross-field rules) and returned as one complete `Manifest`.
 */
export type * from './types.js';
export { loadManifest, type LoadManifestOptions } from './load.js';
export { ManifestError, SecretsError, type MissingSecret } from './errors.js';
export { resolveEngineEnv, type EngineVariable } from './engine-env.js';
export { loadSecretValues, type SecretValuesOptions } from './secrets.js';
export { readDotenv, type Dotenv } from './dotenv.js';
export { imageRepository, imageReferences, type ImageReferences } from './references.js';
export { fluxConfig } from './normalise.js';
export {
  PLACEHOLDERS,
  PLACEHOLDER_SHAPES,
  SORTABLE,
  isTemplate,
  parseTemplate,
  placeholdersOf,
  renderTag,
  sanitiseBranch,
  sortableTemplate,
  type Placeholder,
  type TagFacts,
  type TemplatePart,
} from './tag-template.js';
export { DERIVED_LABELS } from './rules/labels.js';
