/**
 * The imagefleet Nx plugin: `services.manifest.yaml` → one Nx project per service, with
 * inferred `image`, `push` and `verify` targets. Thin by design: every target runs the
 * imagefleet CLI, which runs the pipeline libs.
 */
export { createNodes, createNodesV2 } from './create-nodes.js';
