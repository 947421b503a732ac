export type { Builder, BuildSpec, CommandLine } from './types.js';
export { withSecretFiles, type SecretFilesOptions } from './secret-files.js';
export { createBuilder } from './factory.js';
export { parseImageId, explainBuildFailure, explainPushFailure } from './output.js';
export { contentKey, contentTag, type ContentKeyInput } from './content-key.js';
export {
  createEngine,
  type Engine,
  type EngineInfo,
  type EnginePushOptions,
  type PushAuth,
  type PushProgress,
} from './engine.js';
