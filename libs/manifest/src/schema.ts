import * as z from 'zod';
import type { PathSegment } from './problem.js';

/**
 * The shape of `services.manifest.yaml` as written. Every object is strict (a misspelt key is an
 * error, not a silently ignored option). Optional fields accept `null` too, so a key left empty
 * (`builder:` with its lines commented out, or a service with nothing to override) means
 * "use the default". Defaults are applied in `normalise.ts`, not here: this stays the file's shape.
 */

const names = z.array(z.string());
const path = z.string().min(1);

/** Values may be written unquoted (`NODE_ENV: production`, `PORT: 8080`); they become strings. */
export const BuildArgsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/** Settings of one registry host (`registry.hosts.<host[:port]>`), for hosts that differ from the rest. */
export const HostSettingsSchema = z.strictObject({
  insecure: z.boolean().nullish(),
  /** PEM file of the CA that signed the host's certificate, relative to the manifest. */
  caFile: path.nullish(),
  /** Names of environment variables holding the user and password for this host. */
  usernameEnv: z.string().nullish(),
  passwordEnv: z.string().nullish(),
  /** Directory with the docker `config.json` to read this host's credentials from. */
  dockerConfig: path.nullish(),
});

export const RegistrySchema = z.strictObject({
  host: z.string(),
  pushHost: z.string().nullish(),
  builderHost: z.string().nullish(),
  namespace: z.string(),
  insecure: z.boolean().nullish(),
  hosts: z.record(z.string(), HostSettingsSchema.nullish()).nullish(),
});

/** `{name: ip}`: names a build resolves that only the manifest defines (`--add-host`). */
const AddHostsSchema = z.record(z.string().min(1), z.string().min(1));

/** TLS for a `tcp://` BuildKit endpoint (buildctl's --tlscacert, --tlscert, --tlskey, --tlsservername). */
export const BuilderTlsSchema = z.strictObject({
  caFile: path.nullish(),
  certFile: path.nullish(),
  keyFile: path.nullish(),
  serverName: z.string().min(1).nullish(),
});

/** How `imagefleet builder ensure` creates the named buildx builder when it is missing. */
export const BuilderCreateSchema = z.strictObject({
  driver: z.enum(['remote', 'docker-container', 'kubernetes']),
  /** remote: the BuildKit address (`tcp://buildkitd:1234`). */
  endpoint: z.string().min(1).nullish(),
  /** `--driver-opt key=value` each. */
  driverOpts: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).nullish(),
  /** `--buildkitd-config FILE`, relative to the manifest. */
  buildkitdConfig: path.nullish(),
  /** kubernetes: where the BuildKit pods run, and how many. */
  namespace: z.string().min(1).nullish(),
  replicas: z.int().min(1).nullish(),
});

export const BuilderSchema = z.strictObject({
  driver: z.enum(['docker', 'buildx', 'buildctl']).nullish(),
  docker: path.nullish(),
  /** The buildctl binary (driver buildctl). `IMAGEFLEET_BUILDCTL` overrides it. */
  buildctl: path.nullish(),
  /** A buildx builder by name (`docker`, `docker-container`, `kubernetes`, `remote` drivers). */
  name: z.string().min(1).nullish(),
  /**
   * buildx: a docker context name or a DOCKER_HOST value (unix://, tcp://, ssh://); buildctl: the
   * BuildKit address (tcp://host:port, unix://path), as BUILDKIT_HOST.
   */
  endpoint: z.string().min(1).nullish(),
  tls: BuilderTlsSchema.nullish(),
  create: BuilderCreateSchema.nullish(),
  addHosts: AddHostsSchema.nullish(),
  /** The build's network mode for RUN (`host`, `none`, `default`). */
  network: z.enum(['default', 'host', 'none']).nullish(),
});

/** `cache.registry: true`, or where and how: a BuildKit registry cache per service. */
export const CacheSchema = z.strictObject({
  registry: z
    .union([
      z.boolean(),
      z.strictObject({
        /** Cache image reference; `{service}` is replaced. @default <builderHost>/<namespace>/{service}:buildcache */
        ref: z.string().min(1).nullish(),
        mode: z.enum(['min', 'max']).nullish(),
      }),
    ])
    .nullish(),
});

export const RetentionSchema = z.strictObject({
  /** Content tags kept per service by `imagefleet prune`, newest first. */
  keep: z.int().min(1).nullish(),
});

export const SummarySchema = z.strictObject({
  /** Runs whose rows are kept under `artifacts/image-build-logs/runs/`, newest first. */
  keepRuns: z.int().min(1).nullish(),
});

/** What only the cluster knows about the registry. */
export const ClusterSchema = z.strictObject({
  /**
   * Where cluster nodes reach the registry that serves the push host, when they cannot use the
   * push host's own address (a loopback push host): `host:port` or a URL, e.g. `http://registry.infra:5000`.
   */
  endpoint: z.string().min(1).nullish(),
});

export const ConcurrencySchema = z.strictObject({
  push: z.int().min(1).nullish(),
  build: z.int().min(1).nullish(),
});

export const PushSchema = z.strictObject({
  retries: z.int().min(0).nullish(),
  stallSeconds: z.number().positive().nullish(),
  timeoutSeconds: z.number().positive().nullish(),
});

/** Image labels as written (`org.opencontainers.image.description: …`); values become strings. */
export const LabelsSchema = z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()]));

export const DefaultsSchema = z.strictObject({
  tag: z.string().nullish(),
  /** Tags (or tag templates, `dev-{shortSha}-{timestamp}`) every service gets after `tag`. */
  tags: names.nullish(),
  labels: LabelsSchema.nullish(),
  secrets: names.nullish(),
  buildArgs: BuildArgsSchema.nullish(),
  dockerfile: path.nullish(),
});

export const ServiceSchema = z.strictObject({
  context: path.nullish(),
  dockerfile: path.nullish(),
  secrets: names.nullish(),
  buildArgs: BuildArgsSchema.nullish(),
  dependsOn: names.nullish(),
  tags: names.nullish(),
  addHosts: AddHostsSchema.nullish(),
  labels: LabelsSchema.nullish(),
});

/** What `imagefleet flux` writes and `flux check` checks (docs/gitops.md). */
export const FluxSchema = z.strictObject({
  /** Namespace of the Flux objects. */
  namespace: z.string().min(1).nullish(),
  /** How often Flux scans the registry and updates Git, a Go duration (`5m`). */
  interval: z
    .string()
    .regex(/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/, 'a Go duration such as 5m or 1h30m')
    .nullish(),
  /** The source branch whose pushes Flux follows (what `{branch}` is in the policy). */
  branch: z.string().min(1).nullish(),
  /** The GitRepository object of the GitOps repository. */
  gitRepository: z.string().min(1).nullish(),
  /** The GitOps repository's branch Flux checks out and pushes to. */
  gitBranch: z.string().min(1).nullish(),
  /** The directory Flux updates setter markers under. */
  updatePath: z.string().min(1).nullish(),
  /** Secret names the ImageRepository refers to when the host has credentials / a private CA. */
  secretRef: z.string().min(1).nullish(),
  certSecretRef: z.string().min(1).nullish(),
});

export const ManifestFileSchema = z.strictObject({
  registry: RegistrySchema,
  builder: BuilderSchema.nullish(),
  concurrency: ConcurrencySchema.nullish(),
  push: PushSchema.nullish(),
  defaults: DefaultsSchema.nullish(),
  retention: RetentionSchema.nullish(),
  cache: CacheSchema.nullish(),
  cluster: ClusterSchema.nullish(),
  flux: FluxSchema.nullish(),
  summary: SummarySchema.nullish(),
  services: z
    .record(z.string(), ServiceSchema.nullish())
    .refine((services) => Object.keys(services).length > 0, { message: 'list at least one service' }),
});

/** `services.manifest.yaml` as written, once its shape is known to be right. */
export type ManifestFile = z.output<typeof ManifestFileSchema>;
export type ServiceEntry = z.output<typeof ServiceSchema>;

const sections: Record<string, z.ZodObject> = {
  registry: RegistrySchema,
  builder: BuilderSchema,
  concurrency: ConcurrencySchema,
  push: PushSchema,
  defaults: DefaultsSchema,
  retention: RetentionSchema,
  cache: CacheSchema,
  cluster: ClusterSchema,
  flux: FluxSchema,
  summary: SummarySchema,
};

/** The keys allowed in the object at `path`, for "did you mean" hints on unknown keys. */
export function allowedKeys(at: readonly PathSegment[]): string[] {
  const [first, second, ...rest] = at;
  let schema: z.ZodObject | undefined;
  if (first === undefined) schema = ManifestFileSchema;
  else if (first === 'services' && second !== undefined && rest.length === 0) schema = ServiceSchema;
  else if (first === 'registry' && second === 'hosts' && rest.length === 1) schema = HostSettingsSchema;
  else if (first === 'builder' && second === 'tls' && rest.length === 0) schema = BuilderTlsSchema;
  else if (first === 'builder' && second === 'create' && rest.length === 0) schema = BuilderCreateSchema;
  else if (second === undefined) schema = sections[String(first)];
  return schema ? Object.keys(schema.shape) : [];
}
