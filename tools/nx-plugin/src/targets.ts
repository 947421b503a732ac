/**
 * One inferred-target builder per target. Each target describes itself (description, help
 * example) and names precise inputs. Nx's cache alone would claim an image that may no longer be
 * in the daemon or the registry, so `image` and `verify` are never cached, and `push` only under
 * the registry's answer of this very run (see pushTarget). Skipping unchanged images is the
 * pipeline's job, checked against the registry.
 */
import type { TargetConfiguration } from '@nx/devkit';
import type { ServiceSpec } from '@imagefleet/manifest';
import { cacheKeyEnvName } from '@imagefleet/pipeline';

export interface TargetContext {
  /** How to start the imagefleet CLI from the workspace root. */
  cli: string;
  /** Manifest path relative to the workspace root. */
  manifest: string;
}

function command(ctx: TargetContext, args: string): TargetConfiguration {
  return {
    executor: 'nx:run-commands',
    options: { command: `${ctx.cli} ${args} --manifest ${ctx.manifest}`, cwd: '{workspaceRoot}' },
  };
}

function serviceInputs(service: ServiceSpec, ctx: TargetContext): TargetConfiguration['inputs'] {
  const inputs: NonNullable<TargetConfiguration['inputs']> = [
    `{workspaceRoot}/${service.contextRel}/**/*`,
    `{workspaceRoot}/${ctx.manifest}`,
    // The files of the images this one builds FROM (implicit dependencies): a changed base
    // reaches every image built on it, in `nx affected` too.
    '^default',
  ];
  if (!service.dockerfileRel.startsWith(`${service.contextRel}/`)) inputs.push(`{workspaceRoot}/${service.dockerfileRel}`);
  // Secret names matter to the build; their values never enter a hash.
  return inputs;
}

export function imageTarget(service: ServiceSpec, ctx: TargetContext): TargetConfiguration {
  return {
    ...command(ctx, `image ${service.name}`),
    cache: false,
    inputs: serviceInputs(service, ctx),
    // The images this one builds FROM must be pushed (and verified) first.
    dependsOn: [{ target: 'push', dependencies: true }],
    metadata: {
      description: `Build ${service.name}'s image with BuildKit and tag it for the registry`,
      technologies: ['docker'],
      help: { command: `nx run ${service.name}:image`, example: {} },
    },
  };
}

export function pushTarget(service: ServiceSpec, ctx: TargetContext): TargetConfiguration {
  return {
    ...command(ctx, `push ${service.name}`),
    // Cached under one more input, IMAGEFLEET_CACHE_KEY_<SERVICE>: the key of the run that last
    // pushed or settled it when this run's pre-tasks hook found its image verified in the
    // registry, else a key unique to this run (libs/pipeline/src/nx-cache-keys.ts). A hit replays
    // the task of an image the registry was just seen to hold; nothing else can ever hit.
    cache: true,
    inputs: [...(serviceInputs(service, ctx) ?? []), { env: cacheKeyEnvName(service.name) }],
    outputs: [],
    // One task per service: it builds the image itself (unless its content is already in the
    // registry), so a fleet run starts N processes, not 2N. The bases go first.
    dependsOn: [{ target: 'push', dependencies: true }],
    metadata: {
      description: `Build ${service.name}'s image unless its content is already in the registry, push it through the push host (own concurrency limit, retries, stall watch), then verify every manifest and blob in the registry`,
      technologies: ['docker'],
      help: { command: `nx run ${service.name}:push`, example: {} },
    },
  };
}

export function verifyTarget(service: ServiceSpec, ctx: TargetContext): TargetConfiguration {
  return {
    ...command(ctx, `verify ${service.name}`),
    cache: false,
    inputs: [`{workspaceRoot}/${ctx.manifest}`],
    metadata: {
      description: `Check in the registry that ${service.name}'s image is complete (every manifest and blob), without building`,
      technologies: ['docker'],
      help: { command: `nx run ${service.name}:verify`, example: {} },
    },
  };
}
