/**
 * The imagefleet Nx plugin: `services.manifest.yaml` → one Nx project per service, with
 * inferred `image`, `push` and `verify` targets; around a push run, hooks that settle unchanged
 * images before the first task and record and print the run after the last. Thin by design:
 * targets and hooks run the imagefleet CLI, which runs the pipeline libs.
 */
export { createNodes, createNodesV2 } from './create-nodes.js';
export { preTasksExecution, postTasksExecution } from './task-hooks.js';
