/**
 * One inferred-target builder per target; each target describes itself and names precise
 * inputs. None is cached by Nx: a cache hit would claim an image the registry may no longer
 * hold (nrwl/nx#15116). The push executor's own registry check is the fast path instead — an
 * unchanged service costs a few requests, not a build (libs/pipeline/src/fleet/run.ts).
 */
import type { TargetConfiguration } from '@nx/devkit';
import type { ServiceSpec } from '@imagefleet/manifest';

/** The executors of this plugin, named from the workspace root. */
export const EXECUTORS = './tools/nx-plugin';

export interface TargetContext {
  /** Manifest path relative to the workspace root. */
  manifest: string;
}

function serviceInputs(service: ServiceSpec, ctx: TargetContext): NonNullable<TargetConfiguration['inputs']> {
  const inputs = [
    `{workspaceRoot}/${service.contextRel}/**/*`,
    `{workspaceRoot}/${ctx.manifest}`,
    // The files of the images this one builds FROM (implicit dependencies).
    '^default',
  ];
  if (!service.dockerfileRel.startsWith(`${service.contextRel}/`))
    inputs.push(`{workspaceRoot}/${service.dockerfileRel}`);
  return inputs;
}

function target(
  name: 'push' | 'image' | 'verify',
  service: ServiceSpec,
  ctx: TargetContext,
  description: string,
): TargetConfiguration {
  return {
    executor: `${EXECUTORS}:${name}`,
    options: { manifest: ctx.manifest },
    cache: false,
    metadata: {
      description,
      technologies: ['docker'],
      help: { command: `nx run ${service.name}:${name}`, example: name === 'verify' ? {} : { options: { jobs: 4 } } },
    },
  };
}

export function pushTarget(service: ServiceSpec, ctx: TargetContext): TargetConfiguration {
  return {
    ...target(
      'push',
      service,
      ctx,
      `Build ${service.name}'s image unless its content is already in the registry, push it through the push host (own concurrency limit, retries, stall watch), then verify every manifest and blob in the registry`,
    ),
    inputs: serviceInputs(service, ctx),
    // The images this one builds FROM go first (in the same batch process).
    dependsOn: [{ target: 'push', dependencies: true }],
  };
}

export function imageTarget(service: ServiceSpec, ctx: TargetContext): TargetConfiguration {
  return {
    ...target(
      'image',
      service,
      ctx,
      `Build ${service.name}'s image with BuildKit and tag it for the registry (nothing is pushed)`,
    ),
    inputs: serviceInputs(service, ctx),
    dependsOn: [{ target: 'push', dependencies: true }],
  };
}

export function verifyTarget(service: ServiceSpec, ctx: TargetContext): TargetConfiguration {
  return {
    ...target(
      'verify',
      service,
      ctx,
      `Check in the registry that ${service.name}'s image is complete (every manifest and blob), without building`,
    ),
    inputs: [`{workspaceRoot}/${ctx.manifest}`],
  };
}
