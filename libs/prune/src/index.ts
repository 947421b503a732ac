/** Registry retention (`imagefleet prune`): policy, inventory, references, garbage collection. */
export { prune, type PruneOptions, type PruneReport, type PrunedManifest } from './prune.js';
export { devRegistryGcTarget, waitAnswering, type GcTarget, type GcOutcome } from './gc.js';
export { decideRetention, type RetentionDecision, type RetentionInput, type RetentionPlan } from './policy.js';
export { pruneCounts, pruneSummary, type PruneCounts } from './summary.js';
