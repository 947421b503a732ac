/**
 * Everything one service's task needs, resolved once: the manifest entry, references, paths,
 * builder, run id, and the redactor built from the secret values (so nothing below has to
 * remember to redact).
 */
import { imageReferences, loadManifest, loadSecretValues, type Manifest, type ServiceSpec } from '@imagefleet/manifest';
import { createBuilder, type Builder } from '@imagefleet/buildkit';
import { createRedactor, type Redactor } from '@imagefleet/process';
import { currentRunId } from './run-id.js';
import { workspacePaths, type WorkspacePaths } from './paths.js';

export interface ServiceContext {
  manifest: Manifest;
  service: ServiceSpec;
  refs: ReturnType<typeof imageReferences>;
  /** `<namespace>/<service>`: the repository in the registry. */
  repository: string;
  paths: WorkspacePaths;
  builder: Builder;
  runId: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /**
   * The services this task's run covers, when the caller knows them (the task server): an
   * interrupted task records rows for those never started. Otherwise read from the `nx`
   * command line this process runs under.
   */
  covered?: string[] | null;
}

export async function loadServiceContext(
  manifestFile: string,
  serviceName: string,
  opts: { env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {},
): Promise<ServiceContext> {
  const env = opts.env ?? process.env;
  const manifest = await loadManifest(manifestFile, { env });
  return serviceContext(manifest, findService(manifest, serviceName), { ...opts, env });
}

/** The context of one service of an already loaded manifest. */
export function serviceContext(
  manifest: Manifest,
  service: ServiceSpec,
  opts: { env?: NodeJS.ProcessEnv; signal?: AbortSignal; runId?: string; covered?: string[] | null } = {},
): ServiceContext {
  const env = opts.env ?? process.env;
  return {
    manifest,
    service,
    refs: imageReferences(manifest, service),
    repository: `${manifest.registry.namespace}/${service.name}`,
    paths: workspacePaths(manifest),
    builder: createBuilder(manifest.builder),
    runId: opts.runId ?? currentRunId(env),
    env,
    signal: opts.signal ?? new AbortController().signal,
    covered: opts.covered,
  };
}

export function findService(manifest: Manifest, name: string): ServiceSpec {
  const service = manifest.services.find((s) => s.name === name);
  if (!service) {
    const known = manifest.services.map((s) => s.name).join(', ');
    throw new Error(`${manifest.file}: no service "${name}" (services: ${known})`);
  }
  return service;
}

/** Secret values for this service (throws SecretsError naming secret and service) and the redactor over them. */
export function loadServiceSecrets(ctx: ServiceContext): { values: Record<string, string>; redact: Redactor } {
  const values = loadSecretValues(ctx.manifest, { env: ctx.env, dotenvFile: ctx.paths.dotenv, services: [ctx.service.name] });
  return { values, redact: createRedactor(Object.values(values)) };
}
