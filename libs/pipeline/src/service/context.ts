/**
 * What one run and each of its services work with, created when the run starts and dropped when
 * it ends: the manifest, run id, environment, interrupt signal, registry clients, builder and
 * the terminal. Nothing here lives in a module variable, so two runs in one process (the Nx
 * daemon, a test) share nothing.
 */
import { imageReferences, loadSecretValues, type Manifest, type ServiceSpec } from '@imagefleet/manifest';
import { createBuilder, createEngine, type Builder, type Engine, type EngineInfo } from '@imagefleet/buildkit';
import { createRedactor, systemClock, type Clock, type Redactor } from '@imagefleet/process';
import { openServiceLog, type ServiceLog } from '@imagefleet/report';
import { workspacePaths, type WorkspacePaths } from '../paths.js';
import { createRunRegistry, type RunRegistry } from './registry.js';
import type { SourceRead } from '../source.js';
import { createPhaseLog, type PhaseLog, type PhaseTimer } from '../fleet/phases.js';

export interface RunContext {
  manifest: Manifest;
  runId: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  paths: WorkspacePaths;
  registry: RunRegistry;
  builder: Builder;
  /** The Docker engine the builds land in and pushes go through (`builder.env` DOCKER_HOST, else the default socket). */
  engine: Engine;
  /** Which engine that is, asked once per run. */
  engineInfo(): Promise<EngineInfo>;
  /** One short line for a person, about one service (details go to its log). */
  say(service: string, text: string): void;
  /** What backoff, stall watches and deadlines go by. */
  clock: Clock;
  /** The commit the run builds (read once per run), or why there is none. */
  source: SourceRead;
  /** When the run started (ISO 8601): the images' `created` label. */
  startedAt: string;
  /** When each service did what, for the timeline. */
  phases: PhaseLog;
}

export interface ServiceContext extends RunContext {
  service: ServiceSpec;
  refs: ReturnType<typeof imageReferences>;
  /** `<namespace>/<service>`: the repository in the registry. */
  repository: string;
  /** Image labels: the service's, the OCI ones, `org.imagefleet.*` (complete once `withIdentity` ran). */
  labels: Record<string, string>;
  /** The OCI labels again, for drivers that write manifest annotations. */
  annotations: Record<string, string>;
  /** The sortable tag (`org.opencontainers.image.version`), else the primary tag. */
  version: string;
  /** Start a span of this service's timeline. */
  phase(name: Parameters<PhaseLog['begin']>[1], attempt?: number): PhaseTimer;
}

export function createRunContext(
  manifest: Manifest,
  opts: {
    runId: string;
    env: NodeJS.ProcessEnv;
    signal: AbortSignal;
    say?: ((service: string, text: string) => void) | undefined;
    /** Given by tests (a fake registry client, a fake builder); else made from the manifest. */
    registry?: RunRegistry | undefined;
    builder?: Builder | undefined;
    engine?: Engine | undefined;
    clock?: Clock | undefined;
    /** Read by runs that build or push (`readSource`); other commands have none. */
    source?: SourceRead | undefined;
  },
): RunContext {
  const engine = opts.engine ?? createEngine(manifest.builder.env['DOCKER_HOST']);
  let info: Promise<EngineInfo> | undefined;
  return {
    manifest,
    runId: opts.runId,
    env: opts.env,
    signal: opts.signal,
    paths: workspacePaths(manifest),
    registry: opts.registry ?? createRunRegistry(manifest, opts.env),
    builder: opts.builder ?? createBuilder(manifest.builder),
    engine,
    engineInfo: () => (info ??= engine.info()),
    say: opts.say ?? ((service, text) => process.stdout.write(`[${service}] ${text}\n`)),
    clock: opts.clock ?? systemClock,
    source: opts.source ?? { ok: false, reason: 'this command reads no git facts' },
    startedAt: new Date().toISOString(),
    phases: createPhaseLog(() => (opts.clock ?? systemClock).now()),
  };
}

export function serviceContext(run: RunContext, service: ServiceSpec): ServiceContext {
  return {
    ...run,
    service,
    refs: imageReferences(run.manifest, service),
    repository: `${run.manifest.registry.namespace}/${service.name}`,
    labels: { ...service.labels, 'org.imagefleet.service': service.name },
    annotations: {},
    version: service.tags[0]!,
    phase: (name, attempt) => run.phases.begin(service.name, name, attempt),
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
  const values = loadSecretValues(ctx.manifest, {
    env: ctx.env,
    dotenvFile: ctx.paths.dotenv,
    services: [ctx.service.name],
    onWarning: (line) => ctx.say(ctx.service.name, `warning: ${line}`),
  });
  return { values, redact: createRedactor(Object.values(values)) };
}

/**
 * This run's log of the service (`<service>_<tag>.log`, replacing the last run's). `redact` is
 * asked per line: the secrets it masks are known only once they are loaded.
 */
export function openRunLog(ctx: ServiceContext, redact: (line: string) => string): ServiceLog {
  return openServiceLog({
    dir: ctx.paths.logs,
    service: ctx.service.name,
    tag: ctx.service.tags[0]!,
    redact,
    append: false,
  });
}
