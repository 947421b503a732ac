/**
 * `cluster-config --with-credentials`: the values of the env vars the manifest names
 * (`registry.hosts.<host>.usernameEnv` / `passwordEnv`) for every endpoint nodes pull from, read
 * once here so `registries.yaml` can carry `configs.<host>.auth`. An unset variable is an error
 * naming it and the host: a file written without the credential would fail on the node instead.
 */
import { ClusterConfigError } from './errors.js';
import { credentialHosts } from './registries-yaml.js';
import type { ClusterTarget } from './target.js';

export function readCredentials(
  target: ClusterTarget,
  env: NodeJS.ProcessEnv,
): Record<string, { username: string; password: string }> {
  const out: Record<string, { username: string; password: string }> = {};
  for (const { host, username, password } of credentialHosts(target)) {
    const missing = [username, password].filter((name) => !env[name]);
    if (missing.length > 0) {
      throw new ClusterConfigError(
        `--with-credentials: ${missing.join(' and ')} (registry.hosts."${host}") ${missing.length > 1 ? 'are' : 'is'} not set in the environment`,
      );
    }
    out[host] = { username: env[username]!, password: env[password]! };
  }
  return out;
}
