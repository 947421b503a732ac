import { buildArgSecretProblems } from './build-arg-secrets.js';
import { readDotenv, repeatedDotenvKeys } from './dotenv.js';
import { SecretsError, type MissingSecret } from './errors.js';
import type { Manifest } from './types.js';

export interface SecretValuesOptions {
  env: NodeJS.ProcessEnv;
  /** Absolute path of the `.env` file; it may not exist. */
  dotenvFile: string;
  /** Only these services' secrets are needed. @default every service */
  services?: readonly string[];
  /** Told about what is odd but not wrong (a needed key set twice in `.env`), one line each. */
  onWarning?: (line: string) => void;
}

/** Shorter values are refused: masking them in output would both mangle it and reveal them. */
export const MIN_SECRET_LENGTH = 4;

/**
 * A secret whose value is set but unusable: too short to mask, or cut by a `#` in `.env`; or
 * one a selected service also passes as a build arg (which the image config keeps).
 */
export interface SecretValueProblem {
  secret: string;
  /** The selected services that name it, in manifest order. */
  services: string[];
  /** One line, naming secret and services (and `.env` file and line), never the value. */
  message: string;
}

/** Secrets are set but unusable. A `SecretsError` (so callers treat it alike) with no `missing`. */
export class SecretValueError extends SecretsError {
  readonly problems: SecretValueProblem[];

  constructor(problems: SecretValueProblem[]) {
    super([]);
    this.problems = problems;
    this.message = problems.map((p) => p.message).join('\n');
  }
}

/**
 * The values of the secrets the selected services name, from `.env` or the environment.
 *
 * A non-empty value in `.env` wins: its literal bytes, as dotenv's `parse` reads them (no `$`
 * expansion; quotes removed; `\n` expanded in double quotes only). Nx loads `.env` into a task's
 * environment WITH variable expansion (`pa$$w0rd$HOME` becomes something else), so the
 * environment must not win over the file, or `nx run` and `imagefleet` would build with
 * different bytes. Names that `.env` does not set (or sets empty) come from the environment.
 *
 * `.env` is parsed, never loaded: `process.env` is not touched. Returns only the needed names.
 * Throws `SecretsError` listing every missing one; else `SecretValueError` (a `SecretsError`)
 * for a value shorter than 4 characters, an unquoted `.env` value a `#` cut short, or a build
 * arg of a selected service holding the value of any secret the manifest names (build args are
 * stored in the image config, which is pushed: the value would leave with the image).
 */
export function loadSecretValues(manifest: Manifest, opts: SecretValuesOptions): Record<string, string> {
  const selected = selectServices(manifest, opts.services);
  const dotenv = readDotenv(opts.dotenvFile);
  const values: Record<string, string> = {};
  const missing = new Map<string, string[]>();
  const usedBy = new Map<string, string[]>();
  for (const service of selected) {
    for (const secret of service.secrets) {
      usedBy.set(secret, [...(usedBy.get(secret) ?? []), service.name]);
      const value = dotenv.values[secret] || opts.env[secret];
      if (value) values[secret] = value;
      else if (!dotenv.lines.get(secret)?.cut) missing.set(secret, [...(missing.get(secret) ?? []), service.name]);
    }
  }
  if (missing.size) {
    const list: MissingSecret[] = [...missing].map(([secret, services]) => ({ secret, services }));
    throw new SecretsError(list.sort(bySecret));
  }
  const problems: SecretValueProblem[] = [];
  for (const [secret, services] of usedBy) {
    const by = services.length === 1 ? `service ${services[0]}` : `services ${services.join(', ')}`;
    const entry = dotenv.lines.get(secret);
    if (entry?.cut) {
      problems.push({
        secret,
        services,
        message: `${opts.dotenvFile}:${entry.line} ${secret} (needed by ${by}): "#" starts a comment in an unquoted .env value, so the value is cut there: quote it (${secret}="…#…") or put the comment on a line of its own`,
      });
    } else if (values[secret]!.length < MIN_SECRET_LENGTH) {
      const from = dotenv.values[secret] ? `${opts.dotenvFile}:${entry?.line ?? '?'}` : 'the environment';
      problems.push({
        secret,
        services,
        message: `secret ${secret} needed by ${by} is ${values[secret]!.length} character${values[secret]!.length === 1 ? '' : 's'} long (from ${from}): at least ${MIN_SECRET_LENGTH} are needed to mask it in logs without revealing it; set its real value`,
      });
    }
  }
  problems.sort(bySecret);
  problems.push(...buildArgSecretProblems(manifest, selected, knownSecretValues(manifest, dotenv.values, opts.env)));
  if (problems.length) throw new SecretValueError(problems);
  for (const repeat of repeatedDotenvKeys(dotenv.lines))
    if (usedBy.has(repeat.key))
      opts.onWarning?.(
        `${opts.dotenvFile}:${repeat.lines.at(-1)} ${repeat.key} is set ${repeat.lines.length} times (lines ${repeat.lines.join(', ')}): the last one is used; delete the others`,
      );
  return values;
}

function bySecret(a: { secret: string }, b: { secret: string }): number {
  return a.secret < b.secret ? -1 : 1;
}

function selectServices(manifest: Manifest, names: readonly string[] | undefined) {
  if (!names) return manifest.services;
  const unknown = names.filter((name) => !manifest.services.some((s) => s.name === name));
  if (unknown.length) {
    const known = manifest.services.map((s) => s.name).join(', ');
    throw new Error(`${manifest.file}: no service ${unknown.map((n) => `"${n}"`).join(', ')} (services: ${known})`);
  }
  return manifest.services.filter((s) => names.includes(s.name));
}

/** The value of every secret any service names, where one is set: a build arg must hold none of them. */
function knownSecretValues(
  manifest: Manifest,
  dotenv: Record<string, string>,
  env: NodeJS.ProcessEnv,
): Map<string, string> {
  const known = new Map<string, string>();
  for (const service of manifest.services)
    for (const secret of service.secrets) {
      const value = dotenv[secret] || env[secret];
      if (value && value.length >= MIN_SECRET_LENGTH) known.set(secret, value);
    }
  return known;
}
