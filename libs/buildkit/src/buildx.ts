/**
 * `docker buildx build`. With no builder name and no endpoint it is the engine's own `docker`
 * driver: the image is loaded into the engine, which pushes it like the docker driver's, so
 * retries, the push limit and verification stay in one place. With `builder.name` (any buildx
 * builder: docker-container, kubernetes, remote) or `builder.endpoint` (a docker context or a
 * DOCKER_HOST value: unix://, tcp://, ssh://), the image is built where the builder runs and
 * never touches this machine: the builder pushes it (`--output type=image,push=true`) to
 * `registry.builderHost`, and the pushed digest comes from `--metadata-file`.
 */
import { buildArgsFor, createDockerBuilder } from './docker.js';
import type { Builder } from './types.js';

export interface BuildxOptions {
  /** `--builder NAME`, or null for the current builder. */
  name?: string | null;
  /** A docker context name or a DOCKER_HOST value, or null for this machine's engine. */
  endpoint?: string | null;
  /** `DOCKER_HOST` / `DOCKER_CONFIG` of the workspace's engine (`BuilderConfig.env`); an endpoint URL overrides DOCKER_HOST. */
  env?: Record<string, string>;
}

export function createBuildxBuilder(docker: string, opts: BuildxOptions = {}): Builder {
  const engineEnv = opts.env ?? {};
  const base = createDockerBuilder(docker, engineEnv);
  const name = opts.name ?? null;
  const endpoint = opts.endpoint ?? null;
  // A context is chosen with the global --context flag; a DOCKER_HOST value through the environment.
  const isUrl = endpoint !== null && endpoint.includes('://');
  const global = endpoint !== null && !isUrl ? ['--context', endpoint] : [];
  return {
    ...base,
    driver: 'buildx',
    pushesItself: name !== null || endpoint !== null,
    buildCommand(spec) {
      // Annotations go into the manifest the builder pushes; a loaded image's manifest is the engine's to write.
      const annotations = Object.entries(spec.annotations)
        .sort(([a], [b]) => a.localeCompare(b))
        .flatMap(([k, v]) => ['--annotation', `${k}=${v}`]);
      const output = spec.push
        ? ['--output', 'type=image,push=true', '--metadata-file', spec.push.metadataFile, ...annotations]
        : ['--load'];
      return {
        file: docker,
        // --provenance=false: a single image manifest, as the docker driver produces.
        args: [
          ...global,
          'buildx',
          'build',
          ...(name ? ['--builder', name] : []),
          ...output,
          '--provenance=false',
          ...buildArgsFor(spec),
          spec.context,
        ],
        env: { ...engineEnv, ...(isUrl ? { DOCKER_HOST: endpoint } : {}) },
      };
    },
  };
}
