/**
 * `docker buildx build` with the engine's `docker` driver: the same BuildKit, a newer front
 * end. The image is loaded into the engine and pushed by the same engine push as the
 * docker driver, so retries, the push limit and verification stay in one place.
 */
import { buildArgsFor, createDockerBuilder, secretEnv } from './docker.js';
import type { Builder } from './types.js';

export function createBuildxBuilder(docker: string): Builder {
  const base = createDockerBuilder(docker);
  return {
    ...base,
    driver: 'buildx',
    buildCommand(spec, secretValues) {
      return {
        file: docker,
        // --provenance=false: a single image manifest, as the docker driver produces.
        args: ['buildx', 'build', '--load', '--provenance=false', ...buildArgsFor(spec), spec.context],
        env: secretEnv(spec, secretValues),
      };
    },
  };
}
