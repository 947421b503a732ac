export type { Builder, BuildSpec, CommandLine } from './types.js';
export { createBuilder } from './factory.js';
export { createDockerBuilder, buildArgsFor } from './docker.js';
export { createBuildxBuilder } from './buildx.js';
export { parsePushDigest, parseImageId, explainBuildFailure, explainPushFailure } from './output.js';
export { contentKey, contentTag, contextDigest, type ContentKeyInput } from './content-key.js';
