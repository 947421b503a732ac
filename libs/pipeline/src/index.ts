/**
 * @imagefleet/pipeline — one service end to end (service/), a run over many (fleet/), and the
 * records every run writes (rows.ts). The Nx executors and the CLI are thin adapters over it.
 */
export { pushServices, buildServices, type RunOptions, type ServiceEnd } from './fleet/run.js';
export { verifyServices, type ServiceCheck } from './fleet/verify.js';
export {
  createRunContext,
  findService,
  serviceContext,
  type RunContext,
  type ServiceContext,
} from './service/context.js';
export { preflightRegistry, type PreflightOutcome } from './service/preflight.js';
export { readDigestPins, type DigestPins, type DigestPin } from './service/digests.js';
export { baseImageArg, createRunRegistry, type RunRegistry } from './service/registry.js';
export { listenForInterrupt, type RunInterrupt } from './interrupt.js';
export { newRunId, runIdOf } from './run-id.js';
export { workspacePaths, type WorkspacePaths } from './paths.js';
export {
  pullAsNode,
  resolveHostsDir,
  DEFAULT_CONTAINERD_ADDRESS,
  DEFAULT_NODE_NAMESPACE,
  type PullAsNodeOptions,
  type NodePullOutcome,
  type NodePullOutcomeStatus,
} from './service/node-pull.js';
export { pullVerifiedAsNode, type NodeCheck } from './fleet/pull-as-node.js';
export { readSource, withoutCredentials, type SourceFacts, type SourceRead } from './source.js';
export { REVISION_LABEL, CONTENT_KEY_LABEL } from './service/identity.js';
