/**
 * @imagefleet/cluster — what a cluster needs to pull the manifest's images: k3d commands, k3s
 * registries.yaml, containerd certs.d/hosts.toml, KIND config + KEP-1755 ConfigMap, and the
 * /etc/hosts line. Pure functions of the loaded manifest; one writer. The generators for each
 * kind are reached through `clusterConfig`; only what other packages use is exported.
 */
export { clusterConfig, type ClusterConfig } from './config.js';
export { writeClusterConfig, type WrittenClusterConfig } from './write.js';
export { clusterTarget, CLUSTER_KINDS, type ClusterKind, type ClusterOptions, type ClusterTarget } from './target.js';
export { ClusterConfigError } from './errors.js';
export { readCredentials } from './credentials.js';
export { etcHostsLine } from './etc-hosts.js';
export {
  ctrPullArgs,
  nodePullResult,
  type NodePullOptions,
  type NodePullResult,
  type NodePullStatus,
} from './node-pull.js';
export { buildkitdToml, hostSection } from './buildkitd-toml.js';
