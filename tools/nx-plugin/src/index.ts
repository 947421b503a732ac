/**
 * The imagefleet Nx plugin: `services.manifest.yaml` → one Nx project per service with inferred
 * `image`, `push` and `verify` targets, run by this plugin's executors in batch mode (every task
 * of an invocation in one process). Thin by design: the work is libs/pipeline's.
 */
export { createNodes } from './create-nodes.js';
export { pushBatch, pushExecutor } from './executors/push.js';
export { imageBatch, imageExecutor } from './executors/image.js';
export { verifyBatch, verifyExecutor } from './executors/verify.js';
