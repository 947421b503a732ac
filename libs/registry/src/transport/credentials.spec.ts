import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { normaliseServer, resolveCredentials } from './credentials.js';

let dir: string;
let binDir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'imagefleet-creds-'));
  binDir = join(dir, 'bin');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const writeConfig = (config: unknown) => writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A fake `docker-credential-<name>` that echoes the server it was asked about, as the protocol says. */
function helper(
  name: string,
  body = 'printf \'{"ServerURL":"%s","Username":"helper-%s","Secret":"s3cret"}\' "$server" "$server"',
): void {
  const file = join(binDir, `docker-credential-${name}`);
  mkdirSync(binDir, { recursive: true });
  writeFileSync(file, `#!/bin/sh\nread -r server\n[ "$1" = get ] || exit 3\n${body}\n`);
  chmodSync(file, 0o755);
}
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  PATH: `${binDir}:${process.env.PATH}`,
  DOCKER_CONFIG: dir,
  ...extra,
});

describe('resolveCredentials', () => {
  test('IMAGEFLEET_REGISTRY_USER/PASSWORD win over the docker config', async () => {
    writeConfig({ auths: { 'reg:5000': { auth: b64('file:pw') } } });
    const { credentials } = await resolveCredentials('reg:5000', {
      env: env({ IMAGEFLEET_REGISTRY_USER: 'ci', IMAGEFLEET_REGISTRY_PASSWORD: 'pw' }),
    });
    expect(credentials).toMatchObject({ username: 'ci', password: 'pw' });
  });

  test('auths[host].auth is base64 user:password (the password may hold colons)', async () => {
    writeConfig({ auths: { 'reg:5000': { auth: b64('alice:pa:ss') } } });
    const { credentials } = await resolveCredentials('reg:5000', { env: env() });
    expect(credentials).toMatchObject({ username: 'alice', password: 'pa:ss' });
    expect(credentials?.source).toContain(join(dir, 'config.json'));
  });

  test('auths keys with a scheme and path match, and username/password fields work', async () => {
    writeConfig({ auths: { 'https://reg.example.com/v1/': { username: 'bob', password: 'pw' } } });
    const { credentials } = await resolveCredentials('reg.example.com', { env: env() });
    expect(credentials).toMatchObject({ username: 'bob', password: 'pw' });
  });

  test('dockerConfigDir overrides $DOCKER_CONFIG', async () => {
    writeConfig({ auths: { 'reg:5000': { auth: b64('carol:pw') } } });
    const { credentials } = await resolveCredentials('reg:5000', {
      env: { DOCKER_CONFIG: '/nonexistent' },
      dockerConfigDir: dir,
    });
    expect(credentials?.username).toBe('carol');
  });

  test('credHelpers[host] runs docker-credential-<name> get with the host on stdin', async () => {
    helper('fake');
    writeConfig({ credHelpers: { 'reg:5000': 'fake' }, auths: { 'reg:5000': { auth: b64('inline:pw') } } });
    const { credentials } = await resolveCredentials('reg:5000', { env: env() });
    expect(credentials).toMatchObject({
      username: 'helper-reg:5000',
      password: 's3cret',
      source: expect.stringContaining('docker-credential-fake'),
    });
  });

  test('credsStore is used when auths holds only the placeholder docker writes', async () => {
    helper('store');
    writeConfig({ credsStore: 'store', auths: { 'reg:5000': {} } });
    const { credentials } = await resolveCredentials('reg:5000', { env: env() });
    expect(credentials?.username).toBe('helper-reg:5000');
  });

  test('Docker Hub is asked for as https://index.docker.io/v1/', async () => {
    helper('store');
    writeConfig({ credsStore: 'store' });
    const { credentials } = await resolveCredentials('docker.io', { env: env() });
    expect(credentials?.username).toBe('helper-https://index.docker.io/v1/');
  });

  test('a helper answering <token> gives an identity token', async () => {
    helper('oauth', 'printf \'{"Username":"<token>","Secret":"refresh-123"}\'');
    writeConfig({ credHelpers: { 'reg:5000': 'oauth' } });
    const { credentials } = await resolveCredentials('reg:5000', { env: env() });
    expect(credentials).toMatchObject({ identityToken: 'refresh-123', password: '' });
  });

  test('nothing found: says where it looked, without failing', async () => {
    writeConfig({ credsStore: 'absent-helper', auths: { 'other:5000': { auth: b64('x:y') } } });
    const { credentials, searched } = await resolveCredentials('reg:5000', { env: env() });
    expect(credentials).toBeNull();
    expect(searched.join('; ')).toMatch(
      /IMAGEFLEET_REGISTRY_USER \(not set\).*no entry for reg:5000.*docker-credential-absent-helper is not installed/,
    );
  });

  test('a helper without an entry is a miss, not an error', async () => {
    helper('empty', 'echo "credentials not found in native keychain"; exit 1');
    writeConfig({ credHelpers: { 'reg:5000': 'empty' } });
    const { credentials, searched } = await resolveCredentials('reg:5000', { env: env() });
    expect(credentials).toBeNull();
    expect(searched.join('; ')).toContain('credentials not found in native keychain');
  });

  test('a missing config.json is reported', async () => {
    const { credentials, searched } = await resolveCredentials('reg:5000', { env: env() });
    expect(credentials).toBeNull();
    expect(searched.join('; ')).toContain('config.json (does not exist)');
  });

  test.each([
    ['https://index.docker.io/v1/', 'index.docker.io'],
    ['registry-1.docker.io', 'index.docker.io'],
    ['http://reg:5000', 'reg:5000'],
    ['reg:5000/', 'reg:5000'],
  ])('normaliseServer(%s) = %s', (key, expected) => {
    expect(normaliseServer(key)).toBe(expected);
  });
});
