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

export const RegistrySchema = z.strictObject({
  host: z.string(),
  pushHost: z.string().nullish(),
  namespace: z.string(),
  insecure: z.boolean().nullish(),
});

export const BuilderSchema = z.strictObject({
  driver: z.enum(['docker', 'buildx']).nullish(),
  docker: path.nullish(),
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

export const DefaultsSchema = z.strictObject({
  tag: z.string().nullish(),
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
});

export const ManifestFileSchema = z.strictObject({
  registry: RegistrySchema,
  builder: BuilderSchema.nullish(),
  concurrency: ConcurrencySchema.nullish(),
  push: PushSchema.nullish(),
  defaults: DefaultsSchema.nullish(),
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
};

/** The keys allowed in the object at `path`, for "did you mean" hints on unknown keys. */
export function allowedKeys(at: readonly PathSegment[]): string[] {
  const [first, second, ...rest] = at;
  let schema: z.ZodObject | undefined;
  if (first === undefined) schema = ManifestFileSchema;
  else if (first === 'services' && second !== undefined && rest.length === 0) schema = ServiceSchema;
  else if (second === undefined) schema = sections[String(first)];
  return schema ? Object.keys(schema.shape) : [];
}
