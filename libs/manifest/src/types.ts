/**
 * The normalised manifest: what every other lib consumes. Built once from
 * `services.manifest.yaml` (shape → normalise → cross-field rules); nothing downstream
 * checks for `undefined`.
 */

/** How to talk to one registry host. */
export interface HostSettings {
  /** Plain HTTP. */
  insecure: boolean;
  /** Absolute path of a PEM CA file for HTTPS, or null for the system's CAs. */
  caFile: string | null;
  /** Environment variables with this host's user and password, or null. */
  credentialsEnv: { username: string; password: string } | null;
  /** Directory of the docker `config.json` for this host, or null for the default ($DOCKER_CONFIG, ~/.docker). */
  dockerConfig: string | null;
}

/** Where images go. */
export interface RegistryConfig {
  /** Reference host that clusters and GitOps use, e.g. `k3d-ameide.localhost:5001`. */
  host: string;
  /** Where this machine pushes, e.g. `localhost:5001`. @default host */
  pushHost: string;
  /** Where the builder pushes, when the builder is not this machine's engine, e.g. `k3d-dev-reg:5000`. @default pushHost */
  builderHost: string;
  /** Repository namespace, e.g. `ameide`. */
  namespace: string;
  /** Plain HTTP on the push host. Loopback hosts are plain HTTP unless `insecure: false` is explicit. @default false */
  insecure: boolean;
  /** Settings of each of host, pushHost and builderHost (and any other named in `registry.hosts`), complete. */
  hosts: Record<string, HostSettings>;
}

/** How a push behaves: retried, watched for stalls, bounded overall. */
export interface PushPolicy {
  /** Retries after the first attempt. @default 3 */
  retries: number;
  /** A push that prints nothing for this long is killed and retried. @default 60 */
  stallSeconds: number;
  /** Bound on all attempts of one push together. @default 1800 */
  timeoutSeconds: number;
}

export interface ConcurrencyConfig {
  /** Pushes in flight at once across every process of a run. @default 2 */
  push: number;
  /**
   * Builds in flight at once across every process of a run; `null`: as many as Nx runs tasks
   * (`--parallel`). Set it below `--parallel` and a task's push, verification and process
   * start overlap with other services' builds instead of holding a build's place.
   * @default null
   */
  build: number | null;
}

export type BuilderDriver = 'docker' | 'buildx' | 'buildctl';

/** TLS for a `tcp://` BuildKit endpoint; paths absolute. */
export interface BuilderTls {
  caFile: string | null;
  certFile: string | null;
  keyFile: string | null;
  serverName: string | null;
}

/** How `imagefleet builder ensure` creates the named buildx builder (`builder.create`). */
export interface BuilderCreate {
  driver: 'remote' | 'docker-container' | 'kubernetes';
  /** remote: the BuildKit address. */
  endpoint: string | null;
  /** `--driver-opt key=value` each, in file order. */
  driverOpts: Record<string, string>;
  /** Absolute `--buildkitd-config` file, or null. */
  buildkitdConfig: string | null;
  /** kubernetes: the pods' namespace and replica count (driver opts `namespace=`, `replicas=`). */
  namespace: string | null;
  replicas: number | null;
}

export interface BuilderConfig {
  /** @default 'docker' (`DOCKER_BUILDKIT=1 docker build`, pushed by the engine) */
  driver: BuilderDriver;
  /**
   * The docker CLI to run: `IMAGEFLEET_DOCKER` from the environment, else as recorded in the
   * workspace's `.imagefleet/engine.env` (tools/dev-env/up.sh), else `builder.docker`. @default 'docker'
   */
  docker: string;
  /**
   * `DOCKER_HOST` and `DOCKER_CONFIG` for that CLI and the engine API, from the environment or
   * engine.env (only those set): every docker child process and engine client gets them.
   */
  env: Record<string, string>;
  /** The buildctl binary (driver buildctl). `IMAGEFLEET_BUILDCTL` overrides it. @default 'buildctl' */
  buildctl: string;
  /** A buildx builder by name (`--builder`), or null for the current one. `IMAGEFLEET_BUILDER` overrides it. */
  name: string | null;
  /**
   * buildx: a docker context or DOCKER_HOST value, or null for this machine's engine. buildctl: the
   * BuildKit address (`BUILDKIT_HOST` overrides it; null: buildctl's default socket).
   */
  endpoint: string | null;
  /** TLS for a tcp:// BuildKit endpoint, or null. */
  tls: BuilderTls | null;
  /** What `imagefleet builder ensure` creates, or null. */
  create: BuilderCreate | null;
  /** `{name: ip}` every build resolves (services add their own). */
  addHosts: Record<string, string>;
  /** RUN's network mode, or null for the builder's default. */
  network: 'default' | 'host' | 'none' | null;
}

/** A BuildKit registry cache per service, or none. */
export interface CacheConfig {
  registry: {
    /** Cache image reference with `{service}` in it, e.g. `k3d-dev-reg:5000/ameide/{service}:buildcache`. */
    ref: string;
    mode: 'min' | 'max';
  } | null;
}

/** A manifest value the environment replaced: shown by `doctor`, so a run's settings are never a guess. */
export interface EnvOverride {
  /** The environment variable, e.g. `BUILDKIT_HOST`. */
  env: string;
  /** The dotted manifest field it replaces, e.g. `builder.endpoint`. */
  field: string;
  value: string;
}

export interface RetentionConfig {
  /** Content tags kept per service by `imagefleet prune`. @default 5 */
  keep: number;
}

export interface ClusterSettings {
  /**
   * Where cluster nodes reach the registry behind a loopback push host (`cluster.endpoint`), or
   * null for what each cluster kind does by default (see libs/cluster).
   * @example 'http://registry.infra:5000'
   */
  endpoint: string | null;
}

/** The Flux objects `imagefleet flux` writes (docs/gitops.md). */
export interface FluxConfig {
  /** @default 'flux-system' */
  namespace: string;
  /** @default '5m' */
  interval: string;
  /** The source branch whose pushes Flux follows. @default 'main' */
  branch: string;
  /** @default 'flux-system' */
  gitRepository: string;
  /** @default 'main' */
  gitBranch: string;
  /** @default './' */
  updatePath: string;
  /** @default 'registry-credentials' (used only when the reference host has credentials) */
  secretRef: string;
  /** @default 'registry-ca' (used only when the reference host has a `caFile`) */
  certSecretRef: string;
}

export interface SummaryConfig {
  /** Runs kept in the history (`artifacts/image-build-logs/runs/`). @default 20 */
  keepRuns: number;
}

export interface ServiceSpec {
  /** Lower case, hyphens: the Nx project name and the repository name under the namespace. */
  name: string;
  /** Build context, absolute. */
  context: string;
  /** Build context relative to the workspace root (posix), for Nx inputs. */
  contextRel: string;
  /** Dockerfile, absolute. */
  dockerfile: string;
  /** Dockerfile relative to the workspace root (posix). */
  dockerfileRel: string;
  /** Names of BuildKit secrets this service needs (defaults + its own), sorted, unique. */
  secrets: string[];
  /** Build args (defaults overlaid by the service's own). Never secrets. */
  buildArgs: Record<string, string>;
  /** Services whose image this one builds FROM. */
  dependsOn: string[];
  /**
   * Tags to push: the default tag first, then `defaults.tags`, then the service's own (unique).
   * Entries with `{placeholders}` are templates, rendered once per run (tag-template.ts).
   */
  tags: string[];
  /** `builder.addHosts` overlaid by the service's own. */
  addHosts: Record<string, string>;
  /** Image labels: `defaults.labels` overlaid by the service's own (imagefleet adds the OCI ones). */
  labels: Record<string, string>;
  /** 1-based line of the service's entry in the manifest, for messages. */
  line: number;
}

export interface Manifest {
  /** Absolute path of `services.manifest.yaml`. */
  file: string;
  /** Workspace root: the directory holding the manifest. */
  root: string;
  registry: RegistryConfig;
  concurrency: ConcurrencyConfig;
  push: PushPolicy;
  builder: BuilderConfig;
  retention: RetentionConfig;
  cache: CacheConfig;
  /** Values the environment replaced, environment over manifest (one rule for all). */
  overrides: EnvOverride[];
  cluster: ClusterSettings;
  flux: FluxConfig;
  summary: SummaryConfig;
  /** In declaration order. */
  services: ServiceSpec[];
}

/** One problem found in the manifest, located in the file. */
export interface ManifestIssue {
  /** Manifest path relative to the cwd or as given. */
  file: string;
  line: number;
  column: number;
  /** Dotted path, e.g. `services.www_ameide.context`. */
  path: string;
  message: string;
}
