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
  args.push('--iidfile', spec.iidFile);
  return args;
}

function secretArg(spec: BuildSpec, name: string): string {
  const file = spec.secretFiles[name];
  if (file === undefined)
    throw new Error(
      `secret ${name} needed by service ${spec.service} has no file: pass every secret in secretFiles (withSecretFiles)`,
    );
  return `id=${name},src=${file}`;
}

/**
 * @param engineEnv `DOCKER_HOST` / `DOCKER_CONFIG` of the workspace's engine (`BuilderConfig.env`):
 * the CLI builds on that engine with that config's plugins, whatever the shell exported.
 */
export function createDockerBuilder(docker: string, engineEnv: Record<string, string> = {}): Builder {
  return {
    driver: 'docker',
    pushesItself: false,
    buildCommand(spec): CommandLine {
      if (spec.push)
        throw new Error(
          'the docker driver builds into the engine, which pushes: use builder.driver buildx for a builder that pushes itself',
        );
      return {
        file: docker,
        args: ['build', ...buildArgsFor(spec), spec.context],
        env: { ...engineEnv, DOCKER_BUILDKIT: '1' },
      };
    },
  };
}
