import type { BuilderConfig } from '@imagefleet/manifest';
import { createBuildxBuilder } from './buildx.js';
import { createDockerBuilder } from './docker.js';
import type { Builder } from './types.js';

/** Exhaustive: adding a driver to BuilderDriver fails to compile until it is handled here. */
export function createBuilder(config: Pick<BuilderConfig, 'driver' | 'docker'> & Partial<BuilderConfig>): Builder {
  switch (config.driver) {
    case 'docker':
      return createDockerBuilder(config.docker, config.env ?? {});
    case 'buildx':
      return createBuildxBuilder(config.docker, {
        name: config.name ?? null,
        endpoint: config.endpoint ?? null,
        env: config.env ?? {},
      });
    default: {
      const never: never = config.driver;
      throw new Error(`builder.driver: unknown driver ${String(never)}`);
    }
  }
}
