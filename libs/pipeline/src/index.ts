export { loadServiceContext, findService, loadServiceSecrets, type ServiceContext } from './context.js';
export { runImageTask, runPushTask, type TaskOutcome } from './task.js';
export { verifyService, type ServiceVerification } from './verify.js';
export { preflightRegistry, type PreflightOutcome } from './preflight.js';
export { currentRunId, runIdFor } from './run-id.js';
export { workspacePaths, type WorkspacePaths } from './paths.js';
export { readDigestPins, type DigestPins, type DigestPin } from './digests.js';
export { baseImageArg } from './registry.js';
