/**
 * The seeds' environment overrides, one rule for all: a variable that is set replaces the
 * manifest's value (IMAGEFLEET_DOCKER / DOCKER_HOST / DOCKER_CONFIG are engine-env.ts's), and the run records that it did (`Manifest.overrides`, shown by doctor).
 * Applied to the file as written, before normalising, so a replaced push host changes every
 * default that follows from it (builderHost, the scheme) exactly as if it had been written.
 */
import type { Problem } from './problem.js';
import type { ManifestFile } from './schema.js';
import type { EnvOverride } from './types.js';

export interface Overridden {
  raw: ManifestFile;
  overrides: EnvOverride[];
  problems: Problem[];
}

/** Each variable, the field it replaces, and who reads it. */
export const ENV_OVERRIDES = [
  { env: 'IMAGEFLEET_PUSH_HOST', field: 'registry.pushHost' },
  { env: 'IMAGEFLEET_JOBS', field: 'concurrency.build' },
  { env: 'IMAGEFLEET_BUILDCTL', field: 'builder.buildctl' },
  { env: 'IMAGEFLEET_BUILDER', field: 'builder.name' },
  // buildctl reads BUILDKIT_HOST itself; for buildx the endpoint is a docker context or DOCKER_HOST.
  { env: 'BUILDKIT_HOST', field: 'builder.endpoint', driver: 'buildctl' },
] as const;

export function applyEnvironment(raw: ManifestFile, env: NodeJS.ProcessEnv): Overridden {
  const overrides: EnvOverride[] = [];
  const problems: Problem[] = [];
  let registry = raw.registry;
  let concurrency = raw.concurrency ?? {};
  let builder = raw.builder ?? {};
  for (const rule of ENV_OVERRIDES) {
    const value = env[rule.env];
    if (!value) continue;
    if ('driver' in rule && (builder.driver ?? 'docker') !== rule.driver) continue;
    overrides.push({ env: rule.env, field: rule.field, value });
    switch (rule.field) {
      case 'registry.pushHost':
        registry = { ...registry, pushHost: value };
        break;
      case 'concurrency.build': {
        const jobs = Number(value);
        if (Number.isInteger(jobs) && jobs >= 1) concurrency = { ...concurrency, build: jobs };
        else
          problems.push({
            path: ['concurrency', 'build'],
            message: `IMAGEFLEET_JOBS=${value} is not a whole number of builds at once (1 or more): fix or unset it`,
          });
        break;
      }
      case 'builder.buildctl':
        builder = { ...builder, buildctl: value };
        break;
      case 'builder.name':
        builder = { ...builder, name: value };
        break;
      case 'builder.endpoint':
        builder = { ...builder, endpoint: value };
        break;
    }
  }
  return { raw: { ...raw, registry, concurrency, builder }, overrides, problems };
}
