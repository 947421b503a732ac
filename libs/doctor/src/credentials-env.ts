/**
 * `registry.hosts.<host>.usernameEnv` / `passwordEnv` name this host's own account. When one of
 * them is not set, the registry client falls back to IMAGEFLEET_REGISTRY_USER/PASSWORD or the
 * docker config without a word — another account, or none — and a push fails as "denied" far
 * from the cause. Doctor names the variable instead.
 */
import type { RegistryConfig } from '@imagefleet/manifest';
import { fail, pass, type DoctorCheck } from './types.js';

export function namedCredentials(registry: RegistryConfig, env: NodeJS.ProcessEnv): DoctorCheck[] {
  return Object.entries(registry.hosts).flatMap(([host, settings]) => {
    const named = settings.credentialsEnv;
    if (!named) return [];
    const name = `credentials ${host}`;
    const unset = [
      { field: 'usernameEnv', variable: named.username },
      { field: 'passwordEnv', variable: named.password },
    ].filter((v) => !env[v.variable]);
    if (!unset.length) return [pass(name, `from ${named.username} and ${named.password} (registry.hosts)`)];
    const which = unset.map((v) => `${v.field} ${v.variable}`).join(' and ');
    return [
      fail(
        name,
        `registry.hosts["${host}"].${which} ${unset.length === 1 ? 'is' : 'are'} not set: the client falls back to IMAGEFLEET_REGISTRY_USER/PASSWORD or the docker config, not this host's own account`,
        `export ${unset.map((v) => v.variable).join(' and ')} (or remove usernameEnv/passwordEnv for ${host})`,
      ),
    ];
  });
}
