/**
 * BuildKit through the Docker engine: `DOCKER_BUILDKIT=1 docker build` (docker CLI 20.10 +
 * dockerd's embedded BuildKit). The image lands in the engine, which then pushes it through its
 * API (engine.ts), reporting upload progress and the pushed digest, checked against the registry.
 */
import type { Builder, BuildSpec, CommandLine } from './types.js';

export function buildArgsFor(spec: BuildSpec): string[] {
  const args = ['--progress=plain', '--file', spec.dockerfile];
  for (const tag of spec.tags) args.push('--tag', tag);
  for (const [k, v] of Object.entries(spec.buildArgs).sort(([a], [b]) => a.localeCompare(b)))
    args.push('--build-arg', `${k}=${v}`);
  for (const name of spec.secrets) args.push('--secret', secretArg(spec, name));
  for (const [k, v] of Object.entries(spec.labels).sort(([a], [b]) => a.localeCompare(b)))
    args.push('--label', `${k}=${v}`);
  for (const [name, ip] of Object.entries(spec.addHosts ?? {}).sort(([a], [b]) => a.localeCompare(b)))
    args.push('--add-host', `${name}:${ip}`);
  if (spec.network && spec.network !== 'default') args.push('--network', spec.network);
  args.push('--iidfile', spec.iidFile);
  return args;
}

function secretArg(spec: BuildSpec, name: string): string {
  if (!spec.secretFiles) return `id=${name},env=${name}`;
  const file = spec.secretFiles[name];
  if (file === undefined)
    throw new Error(
      `secret ${name} needed by service ${spec.service} has no file: pass every secret in secretFiles (withSecretFiles)`,
    );
  return `id=${name},src=${file}`;
}

/**
 * Names the docker CLI, its plugins or the dynamic loader read from their environment: as a
 * secret passed by `env=`, the value would steer the CLI (DOCKER_HOST sends the build elsewhere).
 */
export const RESERVED_ENV =
  /^(DOCKER_\w*|BUILDKIT_\w*|BUILDX_\w*|LD_\w+|PATH|HOME|TMPDIR|HTTPS?_PROXY|NO_PROXY|ALL_PROXY|SSL_CERT_(FILE|DIR)|GODEBUG|GOTRACEBACK)$/i;

/** The environment that carries secrets for the `env=` form; empty with `secretFiles`. */
export function secretEnv(spec: BuildSpec, secretValues: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  if (spec.secretFiles) return env;
  for (const name of spec.secrets) {
    if (RESERVED_ENV.test(name)) {
      throw new Error(
        `secret ${name} needed by service ${spec.service} would become the docker CLI's own ${name} variable: pass secrets as files (BuildSpec.secretFiles) or rename it`,
      );
    }
    const value = secretValues[name];
    if (value === undefined) throw new Error(`secret ${name} needed by service ${spec.service} has no value`);
    env[name] = value;
  }
  return env;
}

export function createDockerBuilder(docker: string): Builder {
  return {
    driver: 'docker',
    pushesItself: false,
    probe: () => null,
    buildCommand(spec, secretValues): CommandLine {
      if (spec.push)
        throw new Error(
          'the docker driver builds into the engine, which pushes: use builder.driver buildx for a builder that pushes itself',
        );
      return {
        file: docker,
        args: ['build', ...buildArgsFor(spec), spec.context],
        env: { DOCKER_BUILDKIT: '1', ...secretEnv(spec, secretValues) },
      };
    },
  };
}
