/**
 * BuildKit through the Docker engine: `DOCKER_BUILDKIT=1 docker build` (docker CLI 20.10 +
 * dockerd's embedded BuildKit), then `docker push`. The legacy CLI has no --push and no
 * --metadata-file (REFERENCE §4), so the push is a separate command and the pushed digest is
 * read from its output, then checked against the registry.
 */
import type { Builder, BuildSpec, CommandLine } from './types.js';

export function buildArgsFor(spec: BuildSpec): string[] {
  const args = ['--progress=plain', '--file', spec.dockerfile];
  for (const tag of spec.tags) args.push('--tag', tag);
  for (const [k, v] of Object.entries(spec.buildArgs).sort(([a], [b]) => a.localeCompare(b))) args.push('--build-arg', `${k}=${v}`);
  for (const name of spec.secrets) args.push('--secret', `id=${name},env=${name}`);
  for (const [k, v] of Object.entries(spec.labels).sort(([a], [b]) => a.localeCompare(b))) args.push('--label', `${k}=${v}`);
  args.push('--iidfile', spec.iidFile);
  return args;
}

export function secretEnv(spec: BuildSpec, secretValues: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of spec.secrets) {
    const value = secretValues[name];
    if (value === undefined) throw new Error(`secret ${name} needed by service ${spec.service} has no value`);
    env[name] = value;
  }
  return env;
}

export function createDockerBuilder(docker: string): Builder {
  return {
    driver: 'docker',
    buildCommand(spec, secretValues): CommandLine {
      return {
        file: docker,
        args: ['build', ...buildArgsFor(spec), spec.context],
        env: { DOCKER_BUILDKIT: '1', ...secretEnv(spec, secretValues) },
      };
    },
    tagCommand: (source, target) => ({ file: docker, args: ['tag', source, target], env: {} }),
    pushCommand: (reference) => ({ file: docker, args: ['push', reference], env: {} }),
    removeImageCommand: (references) => ({ file: docker, args: ['image', 'rm', '--force', ...references], env: {} }),
  };
}
