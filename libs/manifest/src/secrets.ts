import { readFileSync } from 'node:fs';
import { parse } from 'dotenv';
import { SecretsError, type MissingSecret } from './errors.js';
import type { Manifest } from './types.js';

export interface SecretValuesOptions {
  env: NodeJS.ProcessEnv;
  /** Absolute path of the `.env` file; it may not exist. */
  dotenvFile: string;
  /** Only these services' secrets are needed. @default every service */
  services?: readonly string[];
}

/**
 * The values of the secrets the selected services name, from the environment or `.env`
 * (a non-empty environment value wins). `.env` is parsed, never loaded: `process.env` is not
 * touched. Returns only the needed names; throws `SecretsError` listing every missing one.
 */
export function loadSecretValues(manifest: Manifest, opts: SecretValuesOptions): Record<string, string> {
  const selected = selectServices(manifest, opts.services);
  const dotenv = readDotenv(opts.dotenvFile);
  const values: Record<string, string> = {};
  const missing = new Map<string, string[]>();
  for (const service of selected) {
    for (const secret of service.secrets) {
      const value = opts.env[secret] || dotenv[secret];
      if (value) values[secret] = value;
      else missing.set(secret, [...(missing.get(secret) ?? []), service.name]);
    }
  }
  if (missing.size) {
    const list: MissingSecret[] = [...missing].map(([secret, services]) => ({ secret, services }));
    throw new SecretsError(list.sort((a, b) => (a.secret < b.secret ? -1 : 1)));
  }
  return values;
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

function readDotenv(file: string): Record<string, string> {
  try {
    return parse(readFileSync(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}
