/**
 * `services.manifest.yaml`: read with source positions, checked in three steps
 * (shape → normalise → cross-field rules) and returned as one complete `Manifest`.
 */
export type * from './types.js';
export { loadManifest, findManifest, MANIFEST_FILE, type LoadManifestOptions } from './load.js';
export { ManifestError, SecretsError, formatIssue, type MissingSecret } from './errors.js';
export { loadSecretValues, type SecretValuesOptions } from './secrets.js';
export { imageRepository, imageReferences, type ImageReferences } from './references.js';
export { normalise, fluxConfig, type NormaliseOptions, type SourceFacts } from './normalise.js';
export { ManifestFileSchema, type ManifestFile } from './schema.js';
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
