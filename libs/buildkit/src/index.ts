export type { Builder, BuildSpec, CommandLine } from './types.js';
export { withSecretFiles, type SecretFilesOptions } from './secret-files.js';
export { createBuilder } from './factory.js';
export { createDockerBuilder, buildArgsFor, secretEnv, RESERVED_ENV } from './docker.js';
export { createBuildxBuilder } from './buildx.js';
export { createBuildctlBuilder, buildctlArgs, buildctlConnection, type BuildctlOptions } from './buildctl.js';
export {
  parsePushDigest,
  pushDigestReader,
  parseImageId,
  explainBuildFailure,
  explainPushFailure,
  type PushDigestReader,
} from './output.js';
export { contentKey, contentTag, contextDigest, type ContentKeyInput } from './content-key.js';
export {
  createEngine,
  modemOptions,
  splitTag,
  type Engine,
  type EngineInfo,
  type EnginePushOptions,
  type PushAuth,
  type PushProgress,
} from './engine.js';
export { buildxCreateArgs, ensureBuilder, type DockerRun, type EnsureOutcome } from './ensure.js';
