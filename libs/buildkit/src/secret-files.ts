/**
 * Secret values reach BuildKit as files (`--secret id=NAME,src=FILE`), never as the docker CLI's
 * environment: a secret named DOCKER_HOST, DOCKER_CONFIG or LD_PRELOAD would otherwise redirect
 * or hijack the CLI itself. Each value is written to a 0600 file in a fresh 0700 directory that
 * is removed when the build is over, whatever happened.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SecretFilesOptions {
  /** Named in errors. */
  service: string;
  /** The secret names the build needs (`BuildSpec.secrets`). */
  names: readonly string[];
  /** Their values, e.g. from `loadSecretValues`. */
  values: Record<string, string>;
  /** Parent of the temp directory. @default os.tmpdir() */
  parentDir?: string;
}

/**
 * Write the secrets to files, call `use` with `{ NAME: path }` (for `BuildSpec.secretFiles`),
 * and remove the files when `use` settles.
 *
 * @example
 * await withSecretFiles({ service, names: spec.secrets, values }, (secretFiles) =>
 *   runCommand(...builder.buildCommand({ ...spec, secretFiles })));
 */
export async function withSecretFiles<T>(
  opts: SecretFilesOptions,
  use: (files: Record<string, string>) => Promise<T>,
): Promise<T> {
  for (const name of opts.names) {
    if (opts.values[name] === undefined)
      throw new Error(`secret ${name} needed by service ${opts.service} has no value`);
  }
  // mkdtemp creates the directory 0700: nobody else can even list the names.
  const dir = await mkdtemp(join(opts.parentDir ?? tmpdir(), 'imagefleet-secrets-'));
  try {
    if (/[,"]/.test(dir))
      throw new Error(
        `secret files need a directory without "," or '"' (docker's --secret is comma-separated), got ${dir}: set TMPDIR`,
      );
    const files: Record<string, string> = {};
    for (const name of opts.names) {
      const file = join(dir, name);
      await writeFile(file, opts.values[name]!, { mode: 0o600, flag: 'wx' });
      files[name] = file;
    }
    return await use(files);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
