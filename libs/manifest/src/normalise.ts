import path from 'node:path';
import { resolveEngineEnv, type EngineVariable } from './engine-env.js';
import { isLoopback } from './grammar.js';
import type { PathSegment } from './problem.js';
import type { ManifestFile, ServiceEntry } from './schema.js';
import type {
  BuilderConfig,
  CacheConfig,
  EnvOverride,
  FluxConfig,
  HostSettings,
  Manifest,
  ServiceSpec,
} from './types.js';

/** What normalising needs from the YAML source. */
export interface SourceFacts {
  /** Service names in file order. */
  order: readonly string[];
  /** 1-based line of a service's key. */
  line(name: string): number;
  /** A scalar as written, so `VERSION: 1.10` stays "1.10" rather than the number's "1.1". */
  textAt(path: readonly PathSegment[]): string | undefined;
}

export interface NormaliseOptions {
  /** Absolute path of the manifest; relative paths in it resolve against its directory. */
  file: string;
  /** The engine variables (`resolveEngineEnv`): `IMAGEFLEET_DOCKER` overrides `builder.docker`. */
  env: NodeJS.ProcessEnv;
  source: SourceFacts;
  /** What the environment replaced (already applied to `raw`, see overrides.ts). @default [] */
  overrides?: EnvOverride[];
}

/** Step two of three: defaults applied, paths resolved, lists sorted. Checks nothing. */
export function normalise(raw: ManifestFile, opts: NormaliseOptions): Manifest {
  const root = path.dirname(opts.file);
  const registry = raw.registry;
  const pushHost = registry.pushHost ?? registry.host;
  const defaults = raw.defaults ?? {};
  const { source } = opts;
  const names = [...source.order, ...Object.keys(raw.services)].filter(unique);
  const engine = resolveEngineEnv(root, opts.env);
  return {
    file: opts.file,
    root,
    registry: {
      host: registry.host,
      pushHost,
      builderHost: registry.builderHost ?? pushHost,
      namespace: registry.namespace,
      insecure: registry.insecure ?? isLoopback(pushHost),
      hosts: hostSettings(registry, pushHost, root),
    },
    concurrency: { push: raw.concurrency?.push ?? 2, build: raw.concurrency?.build ?? null },
    push: {
      retries: raw.push?.retries ?? 3,
      stallSeconds: raw.push?.stallSeconds ?? 60,
      timeoutSeconds: raw.push?.timeoutSeconds ?? 1800,
    },
    builder: builder(raw.builder ?? {}, root, engine),
    retention: { keep: raw.retention?.keep ?? 5 },
    cache: cache(raw, pushHost),
    overrides: opts.overrides ?? [],
    cluster: { endpoint: raw.cluster?.endpoint ?? null },
    flux: fluxConfig(raw.flux),
    summary: { keepRuns: raw.summary?.keepRuns ?? 20 },
    services: names
      .filter((name) => name in raw.services)
      .map((name) => service(name, raw.services[name] ?? {}, defaults, raw.builder?.addHosts ?? {}, root, source)),
  };
}

function builder(
  raw: NonNullable<ManifestFile['builder']>,
  root: string,
  engine: Partial<Record<EngineVariable, string>>,
): BuilderConfig {
  const file = (p: string | null | undefined) => (p ? path.resolve(root, p) : null);
  const create = raw.create;
  return {
    driver: raw.driver ?? 'docker',
    docker: engine.IMAGEFLEET_DOCKER ?? raw.docker ?? 'docker',
    env: engineProcessEnv(engine),
    buildctl: raw.buildctl ?? 'buildctl',
    name: raw.name ?? null,
    endpoint: raw.endpoint ?? null,
    tls: raw.tls
      ? {
          caFile: file(raw.tls.caFile),
          certFile: file(raw.tls.certFile),
          keyFile: file(raw.tls.keyFile),
          serverName: raw.tls.serverName ?? null,
        }
      : null,
    create: create
      ? {
          driver: create.driver,
          endpoint: create.endpoint ?? null,
          driverOpts: Object.fromEntries(Object.entries(create.driverOpts ?? {}).map(([k, v]) => [k, String(v)])),
          buildkitdConfig: file(create.buildkitdConfig),
          namespace: create.namespace ?? null,
          replicas: create.replicas ?? null,
        }
      : null,
    addHosts: { ...(raw.addHosts ?? {}) },
    network: raw.network ?? null,
  };
}

/** `cache.registry: true` is a cache image beside each service's, where the builder pushes. */
function cache(raw: ManifestFile, pushHost: string): CacheConfig {
  const registry = raw.cache?.registry;
  if (!registry) return { registry: null };
  const builderHost = raw.registry.builderHost ?? pushHost;
  const own = registry === true ? {} : registry;
  return {
    registry: {
      ref: own.ref ?? `${builderHost}/${raw.registry.namespace}/{service}:buildcache`,
      mode: own.mode ?? 'max',
    },
  };
}

/** `flux:` with its defaults; also what test fixtures use for a manifest without one. */
export function fluxConfig(flux: ManifestFile['flux']): FluxConfig {
  return {
    namespace: flux?.namespace ?? 'flux-system',
    interval: flux?.interval ?? '5m',
    branch: flux?.branch ?? 'main',
    gitRepository: flux?.gitRepository ?? 'flux-system',
    gitBranch: flux?.gitBranch ?? 'main',
    updatePath: flux?.updatePath ?? './',
    secretRef: flux?.secretRef ?? 'registry-credentials',
    certSecretRef: flux?.certSecretRef ?? 'registry-ca',
  };
}

/**
 * Every host the manifest names, with its settings complete: what `registry.hosts.<host>` says,
 * else the registry-wide `insecure` (which defaults to plain HTTP for a loopback push host). A host
 * with a `caFile` speaks HTTPS: that CA is what the user gave it for.
 */
function hostSettings(
  registry: ManifestFile['registry'],
  pushHost: string,
  root: string,
): Record<string, HostSettings> {
  const builderHost = registry.builderHost ?? pushHost;
  const names = [registry.host, pushHost, builderHost, ...Object.keys(registry.hosts ?? {})].filter(unique);
  const fallback = registry.insecure ?? isLoopback(pushHost);
  return Object.fromEntries(
    names.map((host) => {
      const own = registry.hosts?.[host] ?? {};
      const settings: HostSettings = {
        insecure: own.insecure ?? (own.caFile ? false : fallback),
        caFile: own.caFile ? path.resolve(root, own.caFile) : null,
        credentialsEnv:
          own.usernameEnv && own.passwordEnv ? { username: own.usernameEnv, password: own.passwordEnv } : null,
        dockerConfig: own.dockerConfig ? path.resolve(root, own.dockerConfig) : null,
      };
      return [host, settings];
    }),
  );
}

function service(
  name: string,
  entry: NonNullable<ServiceEntry>,
  defaults: NonNullable<ManifestFile['defaults']>,
  addHosts: Record<string, string>,
  root: string,
  source: SourceFacts,
): ServiceSpec {
  const context = path.resolve(root, entry.context ?? `apps/${name}`);
  const dockerfile = path.resolve(context, entry.dockerfile ?? defaults.dockerfile ?? 'Dockerfile');
  return {
    name,
    context,
    contextRel: relative(root, context),
    dockerfile,
    dockerfileRel: relative(root, dockerfile),
    secrets: [...(defaults.secrets ?? []), ...(entry.secrets ?? [])].filter(unique).sort(),
    buildArgs: {
      ...buildArgs(defaults.buildArgs, ['defaults', 'buildArgs'], source),
      ...buildArgs(entry.buildArgs, ['services', name, 'buildArgs'], source),
    },
    dependsOn: (entry.dependsOn ?? []).filter(unique),
    tags: [defaults.tag ?? 'dev', ...(defaults.tags ?? []), ...(entry.tags ?? [])].filter(unique),
    labels: {
      ...buildArgs(defaults.labels, ['defaults', 'labels'], source),
      ...buildArgs(entry.labels, ['services', name, 'labels'], source),
    },
    addHosts: { ...addHosts, ...(entry.addHosts ?? {}) },
    line: source.line(name),
  };
}

type BuildArgs = NonNullable<ServiceEntry>['buildArgs'];

/** Strings as they are; numbers and booleans as written in the file. */
function buildArgs(args: BuildArgs, at: PathSegment[], source: SourceFacts): Record<string, string> {
  return Object.fromEntries(
    Object.entries(args ?? {}).map(([key, value]) => [
      key,
      typeof value === 'string' ? value : (source.textAt([...at, key]) ?? String(value)),
    ]),
  );
}

/** Posix, and `.` for the root itself, so it reads the same in Nx inputs on every platform. */
function relative(root: string, target: string): string {
  return path.relative(root, target).split(path.sep).join('/') || '.';
}

function unique<T>(value: T, index: number, all: readonly T[]): boolean {
  return all.indexOf(value) === index;
}

/** What the CLI and the engine API read from the environment: where the engine is, the CLI config. */
function engineProcessEnv(engine: Partial<Record<EngineVariable, string>>): Record<string, string> {
  return {
    ...(engine.DOCKER_HOST && { DOCKER_HOST: engine.DOCKER_HOST }),
    ...(engine.DOCKER_CONFIG && { DOCKER_CONFIG: engine.DOCKER_CONFIG }),
  };
}
