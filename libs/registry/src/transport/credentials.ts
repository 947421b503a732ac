/**
 * Where credentials for a registry host come from, in this order:
 * 0. the host's own environment variables, when named (`registry.hosts.<host>.usernameEnv` /
 *    `passwordEnv`): hosts with different accounts cannot share one pair of variables;
 * 1. `IMAGEFLEET_REGISTRY_USER` + `IMAGEFLEET_REGISTRY_PASSWORD` (CI sets these on purpose);
 * 2. the docker config (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`), as docker/cli
 *    reads it: `credHelpers[host]`, then an inline `auths[host]` entry (`auth` = base64 user:pass,
 *    or `username`/`password`, or `identitytoken`), then `credsStore`. An empty `auths[host]` entry
 *    is the placeholder docker writes when the secret lives in the store.
 * Helpers run as `docker-credential-<name> get` with the server on stdin (docker-credential-helpers).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface Credentials {
  username: string;
  password: string;
  /** An OAuth2 refresh token (`identitytoken`, or a helper's `<token>` user): exchanged at the realm by POST. */
  identityToken?: string;
  /** Where they came from, for messages; never the secret itself. */
  source: string;
}

export interface CredentialLookup {
  credentials: Credentials | null;
  /** What was looked at, in order, for "credentials missing" messages. */
  searched: string[];
}

export interface CredentialOptions {
  env: NodeJS.ProcessEnv;
  /** Directory holding `config.json`. @default $DOCKER_CONFIG, else ~/.docker */
  dockerConfigDir?: string;
  /**
   * Names of the environment variables with this host's user and password, looked at first.
   * @example { username: 'PULL_REGISTRY_USER', password: 'PULL_REGISTRY_PASSWORD' }
   */
  credentialsEnv?: { username: string; password: string };
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

const HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const HUB_SERVER = 'https://index.docker.io/v1/';

/** `https://host:5000/v1/` → `host:5000`, the way docker/cli matches `auths` keys. */
export function normaliseServer(key: string): string {
  const bare = key.replace(/^[a-z]+:\/\//i, '').split('/')[0] ?? '';
  return HUB_HOSTS.has(bare) ? 'index.docker.io' : bare;
}

function fromAuthEntry(entry: NonNullable<DockerConfig['auths']>[string], source: string): Credentials | null {
  if (entry.identitytoken) {
    return { username: entry.username ?? '<token>', password: '', identityToken: entry.identitytoken, source };
  }
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source };
  }
  if (entry.username && entry.password !== undefined)
    return { username: entry.username, password: entry.password, source };
  return null;
}

async function fromHelper(
  name: string,
  server: string,
  env: NodeJS.ProcessEnv,
  searched: string[],
): Promise<Credentials | null> {
  const bin = `docker-credential-${name}`;
  const source = `${bin} (credential helper)`;
  const run = await execa(bin, ['get'], { input: server, env, extendEnv: false, reject: false, timeout: 15_000 });
  if (run.failed) {
    const why =
      run.code === 'ENOENT'
        ? 'is not installed'
        : `has no entry (${String(run.stdout || run.stderr)
            .trim()
            .slice(0, 120)})`;
    searched.push(`${bin} ${why}`);
    return null;
  }
  try {
    const out = JSON.parse(run.stdout) as { Username?: string; Secret?: string };
    if (!out.Secret) throw new Error('no Secret');
    searched.push(source);
    return out.Username === '<token>'
      ? { username: '<token>', password: '', identityToken: out.Secret, source }
      : { username: out.Username ?? '', password: out.Secret, source };
  } catch {
    searched.push(`${bin} printed no {"Username","Secret"} JSON`);
    return null;
  }
}

async function readDockerConfig(file: string, searched: string[]): Promise<DockerConfig | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DockerConfig;
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    searched.push(`${file} (${missing ? 'does not exist' : 'is not valid JSON'})`);
    return null;
  }
}

export function dockerConfigFile(opts: CredentialOptions): string {
  const dir = opts.dockerConfigDir ?? opts.env.DOCKER_CONFIG ?? join(opts.env.HOME ?? homedir(), '.docker');
  return join(dir, 'config.json');
}

/** Find credentials for `host` (`host[:port]`). Never throws; says where it looked. */
export async function resolveCredentials(host: string, opts: CredentialOptions): Promise<CredentialLookup> {
  const searched: string[] = [];
  if (opts.credentialsEnv) {
    const names = opts.credentialsEnv;
    const [user, password] = [opts.env[names.username], opts.env[names.password]];
    if (user && password !== undefined) {
      return {
        credentials: { username: user, password, source: `${names.username}/${names.password}` },
        searched: [`${names.username}/${names.password}`],
      };
    }
    const unset = [names.username, names.password].filter((n) => !opts.env[n]);
    searched.push(`${names.username}/${names.password} (${unset.join(' and ')} not set)`);
  }
  const { IMAGEFLEET_REGISTRY_USER: user, IMAGEFLEET_REGISTRY_PASSWORD: password } = opts.env;
  if (user && password !== undefined) {
    return {
      credentials: { username: user, password, source: 'IMAGEFLEET_REGISTRY_USER/PASSWORD' },
      searched: ['environment'],
    };
  }
  searched.push(
    user
      ? 'IMAGEFLEET_REGISTRY_USER (set, but IMAGEFLEET_REGISTRY_PASSWORD is not)'
      : 'IMAGEFLEET_REGISTRY_USER (not set)',
  );

  const file = dockerConfigFile(opts);
  const config = await readDockerConfig(file, searched);
  if (!config) return { credentials: null, searched };
  const key = normaliseServer(host);
  const server = key === 'index.docker.io' ? HUB_SERVER : host;

  const helper = Object.entries(config.credHelpers ?? {}).find(([k]) => normaliseServer(k) === key)?.[1];
  if (helper) {
    const found = await fromHelper(helper, server, opts.env, searched);
    if (found) return { credentials: found, searched };
  }
  const entry = Object.entries(config.auths ?? {}).find(([k]) => normaliseServer(k) === key)?.[1];
  const inline = entry ? fromAuthEntry(entry, `${file} auths["${host}"]`) : null;
  if (inline) return { credentials: inline, searched: [...searched, inline.source] };
  searched.push(`${file} auths (${entry ? 'entry holds no secret' : `no entry for ${host}`})`);
  if (config.credsStore) {
    const found = await fromHelper(config.credsStore, server, opts.env, searched);
    if (found) return { credentials: found, searched };
  }
  return { credentials: null, searched };
}
