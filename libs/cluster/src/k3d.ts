/**
 * k3d: the registry container `k3d-<name>` published on the push port (made, started or reused),
 * and a cluster that uses it with our registries.yaml (k3d merges it with the mirrors it
 * generates itself, and writes the KEP-1755 ConfigMap on its own).
 */
import { registryStep, shellScript } from './script.js';
import type { ClusterTarget } from './target.js';

/** What a first run does, for people: the two k3d commands. */
export function k3dCommands(target: ClusterTarget): string[] {
  return [registryCreate(target, String(target.reference.port)), clusterCreate(target, String(target.reference.port))];
}

export function k3dScript(target: ClusterTarget): string {
  const cluster = target.clusterName;
  return shellScript(target, {
    name: 'k3d.sh',
    registryPort: true,
    what: `k3d cluster ${cluster} pulling ${target.reference.host} images from the registry k3d-${target.k3dRegistryName}`,
    body: [
      ...registryStep('k3d.sh', `k3d-${target.k3dRegistryName}`, registryCreate(target, '$PORT')),
      `if k3d cluster get ${cluster} >/dev/null 2>&1; then`,
      `  say "cluster ${cluster} already exists"`,
      'else',
      `  ${clusterCreate(target, '$PORT')}`,
      'fi',
    ],
  });
}

/** `port`: a number, or `$PORT` in the script (checked to be digits only). */
function registryCreate(target: ClusterTarget, port: string): string {
  return `k3d registry create ${target.k3dRegistryName!} --port ${port}`;
}

function clusterCreate(target: ClusterTarget, port: string): string {
  return [
    `k3d cluster create ${target.clusterName}`,
    `--registry-use k3d-${target.k3dRegistryName!}:${port}`,
    '--registry-config registries.yaml',
    ...(target.disableDefaultEndpoint
      ? [
          "--k3s-arg '--disable-default-registry-endpoint@server:*'",
          "--k3s-arg '--disable-default-registry-endpoint@agent:*'",
        ]
      : []),
  ].join(' ');
}
