import type { BuilderDriver } from '@imagefleet/manifest';

/** What to build: everything a driver needs, already normalised. */
export interface BuildSpec {
  service: string;
  /** Absolute build context. */
  context: string;
  /** Absolute Dockerfile. */
  dockerfile: string;
  /** Every reference the result is tagged with (first = primary). */
  tags: string[];
  buildArgs: Record<string, string>;
  /** Secret names. Their values reach the builder as files (`secretFiles`), never as arguments. */
  secrets: string[];
  /**
   * Where each secret's value is, `{ NAME: path }` (see `withSecretFiles`): passed as
   * `--secret id=NAME,src=path`, so no secret enters the docker CLI's environment or arguments.
   */
  secretFiles: Record<string, string>;
  labels: Record<string, string>;
  /**
   * Manifest annotations (the OCI `org.opencontainers.image.*` keys), for drivers whose output
   * writes the manifest itself; a driver whose engine writes the manifest on push leaves them out.
   */
  annotations: Record<string, string>;
  /** Where the builder writes the image ID. */
  iidFile: string;
  /**
   * A builder that pushes itself (buildx with a named builder or another endpoint): push the tags
   * from the builder and write BuildKit's metadata (`containerimage.digest`) here; nothing is
   * loaded into this machine's engine.
   */
  push?: { metadataFile: string };
}

/** A child process to start: file + argument array + extra environment (no shell). */
export interface CommandLine {
  file: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * A BuildKit front end. Argument building is pure: a function of the spec and the probed
 * runtime, tested with tables; running the command is the pipeline's job (one process module).
 */
export interface Builder {
  readonly driver: BuilderDriver;
  /**
   * The image is built somewhere else than this machine's engine (a named buildx builder, another
   * endpoint) and pushed by the builder itself; else it lands in the engine, which pushes it.
   */
  readonly pushesItself: boolean;
  /** The command line for `spec`; secrets go by `spec.secretFiles`, never on the command line. */
  buildCommand(spec: BuildSpec): CommandLine;
}
