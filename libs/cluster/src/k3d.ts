/**
 * k3d: a registry container `k3d-<name>` published on the push port, and a cluster that uses it
 * with our registries.yaml (k3d merges it with the mirrors it generates itself, and writes the
 * KEP-1755 ConfigMap on its own).
 */
import type { ClusterTarget } from './target.js';

export function k3dCommands(target: ClusterTarget): string[] {
  const name = target.k3dRegistryName!;
  const port = target.reference.port!;
  const cluster = [
    `k3d cluster create ${target.clusterName}`,
    `--registry-use k3d-${name}:${port}`,
    '--registry-config registries.yaml',
    ...(target.disableDefaultEndpoint
      ? [
          "--k3s-arg '--disable-default-registry-endpoint@server:*'",
          "--k3s-arg '--disable-default-registry-endpoint@agent:*'",
        ]
      : []),
  ];
  return [`k3d registry create ${name} --port ${port}`, cluster.join(' ')];
}
