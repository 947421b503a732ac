/**
 * @imagefleet/cluster — what a cluster needs to pull the manifest's images: k3d commands, k3s
 * registries.yaml, containerd certs.d/hosts.toml, KIND config + KEP-1755 ConfigMap, and the
 * /etc/hosts line. Pure functions of the loaded manifest; one writer.
 */
export { clusterConfig, type ClusterConfig } from './config.js';
export { writeClusterConfig, type WrittenClusterConfig } from './write.js';
export {
  clusterTarget,
  CLUSTER_KINDS,
  KIND_HELP,
  type ClusterKind,
  type ClusterOptions,
  type ClusterTarget,
} from './target.js';
export { ClusterConfigError } from './errors.js';
export { registryRoutes, routesWithMirrors, type NodeEndpoint, type RegistryRoute } from './routes.js';
export { readCredentials } from './credentials.js';
export {
  containerdHostsFiles,
  renderHostsToml,
  hostsDirName,
  CA_FILE_NAME,
  CONTAINERD_CONFIG_PATCH,
  CONTAINERD2_CONFIG_PATCH,
  MIRROR_CAPABILITIES,
} from './hosts-toml.js';
export { credentialHosts, renderRegistriesYaml, registriesModel, type RegistriesYaml } from './registries-yaml.js';
export { k3sRoutes, type K3sRoute, type K3sHostsOptions } from './k3s-hosts.js';
export { k3dCommands, k3dScript } from './k3d.js';
export {
  kindClusterYaml,
  kindCommands,
  kindScript,
  localRegistryHosting,
  localRegistryHostingYaml,
  type LocalRegistryHostingV1,
} from './kind.js';
export { etcHostsLine } from './etc-hosts.js';
export { tomlString, tomlArray } from './toml.js';
export {
  ctrPullArgs,
  nodePullResult,
  type NodePullOptions,
  type NodePullResult,
  type NodePullStatus,
} from './node-pull.js';
