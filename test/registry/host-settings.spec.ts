/**
 * Per-host settings against a real registry over HTTPS with a self-signed certificate (made by
 * openssl here) and htpasswd auth: the host's own CA file, and credentials from named environment
 * variables or a given docker config directory.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pushRandomImage, startRegistry, type RunningRegistry } from '../support/registry-server.js';
import { makeSelfSignedCert, type TestCertificate } from '../support/tls.js';
import { createRegistryClient, type RegistryClientOptions } from '@imagefleet/registry';

const USER = { user: 'puller', password: 'correct horse' };
const FAST = { retries: 1, baseDelayMs: 1 };

let cert: TestCertificate;
let other: TestCertificate;
let registry: RunningRegistry;
let dir: string;

beforeAll(async () => {
  [cert, other] = await Promise.all([makeSelfSignedCert(), makeSelfSignedCert()]);
  registry = await startRegistry({ tls: { certFile: cert.certFile, keyFile: cert.keyFile }, htpasswd: USER });
  dir = mkdtempSync(join(tmpdir(), 'imagefleet-host-settings-'));
});
afterAll(async () => {
  await registry?.stop();
  cert?.dispose();
  other?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** An HTTPS client of the test registry; the environment has no credentials unless given. */
const client = (opts: Partial<RegistryClientOptions> = {}) =>
  createRegistryClient({
    host: registry.host,
    scheme: 'https',
    env: { HOME: dir },
    dockerConfigDir: join(dir, 'none'),
    retry: FAST,
    ...opts,
  });

describe('caFile', () => {
  test('without the CA the certificate is not trusted: the error names the host and the setting to fix', async () => {
    const result = await client().ping();
    expect(result).toMatchObject({ status: 'unreachable', network: 'tls-certificate' });
    expect(result.status !== 'ok' && result.detail).toContain(`the TLS certificate of ${registry.host} is not trusted`);
    expect(result.status !== 'ok' && result.detail).toContain(
      `set registry.hosts.${registry.host}.caFile in services.manifest.yaml`,
    );
  });

  test('with another CA the error says which CA file did not sign it', async () => {
    const result = await client({ caFile: other.certFile }).ping();
    expect(result.status).toBe('unreachable');
    expect(result.status !== 'ok' && result.detail).toContain(`is not signed by the CA in ${other.certFile}`);
    expect(result.status !== 'ok' && result.detail).toContain(`registry.hosts.${registry.host}.caFile`);
  });

  test('an unreadable CA file fails every request with the reason, before connecting', async () => {
    const missing = join(dir, 'no-such-ca.pem');
    const result = await client({ caFile: missing }).ping();
    expect(result.status !== 'ok' && result.detail).toContain(`the CA file ${missing} cannot be read (ENOENT)`);
  });

  test('with the CA the registry answers, and asks for credentials', async () => {
    const result = await client({ caFile: cert.certFile }).ping();
    expect(result.status).toBe('unauthorized');
    expect(result.status !== 'ok' && result.detail).toMatch(/no credentials for 127\.0\.0\.1:\d+/);
  });
});

describe('credentials', () => {
  const named = { username: 'PULL_USER', password: 'PULL_PASSWORD' };

  test('from the named environment variables: pushes (PUT, no keep-alive) and verifies over HTTPS', async () => {
    const c = client({
      caFile: cert.certFile,
      credentialsEnv: named,
      env: { PULL_USER: USER.user, PULL_PASSWORD: USER.password },
    });
    expect(await c.ping()).toEqual({ status: 'ok', scheme: 'https', auth: 'basic' });
    const image = await pushRandomImage(c, 'team/app', 'v1', { layers: 2 });
    const result = await c.verify('team/app', 'v1', { expectedDigest: image.digest });
    expect(result).toMatchObject({ status: 'verified', digest: image.digest, blobs: 3 });
  });

  test('the named variables come before IMAGEFLEET_REGISTRY_USER/PASSWORD', async () => {
    const env = {
      PULL_USER: USER.user,
      PULL_PASSWORD: USER.password,
      IMAGEFLEET_REGISTRY_USER: 'pusher',
      IMAGEFLEET_REGISTRY_PASSWORD: 'other',
    };
    expect((await client({ caFile: cert.certFile, credentialsEnv: named, env }).ping()).status).toBe('ok');
  });

  test('a wrong password is refused, naming the host and the variables it came from', async () => {
    const c = client({
      caFile: cert.certFile,
      credentialsEnv: named,
      env: { PULL_USER: USER.user, PULL_PASSWORD: 'wrong' },
    });
    const result = await c.ping();
    expect(result.status).toBe('unauthorized');
    expect(result.status !== 'ok' && result.detail).toContain(
      `${registry.host} refused the credentials of user "puller" from PULL_USER/PULL_PASSWORD`,
    );
  });

  test('named variables that are not set are listed among the places looked at', async () => {
    const result = await client({ caFile: cert.certFile, credentialsEnv: named }).ping();
    expect(result.status !== 'ok' && result.detail).toContain(
      'PULL_USER/PULL_PASSWORD (PULL_USER and PULL_PASSWORD not set)',
    );
  });

  test('from the config.json of a given docker config directory', async () => {
    const configDir = join(dir, 'docker-config');
    const auth = Buffer.from(`${USER.user}:${USER.password}`).toString('base64');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(join(configDir, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }));
    const c = client({ caFile: cert.certFile, dockerConfigDir: configDir });
    expect(await c.ping()).toEqual({ status: 'ok', scheme: 'https', auth: 'basic' });
  });
});
