/**
 * Both auth flows against real servers: distribution's htpasswd (Basic), and Bearer tokens
 * through test/support/token-server.ts in front of a real registry. Credentials come from a
 * temp DOCKER_CONFIG, the way `docker login` leaves them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pushRandomImage, startRegistry, type RunningRegistry } from '../support/registry-server.js';
import { startTokenServer, type RunningTokenServer } from '../support/token-server.js';
import { makeSelfSignedCert, type TestCertificate } from '../support/tls.js';
import { createFakeClock } from '@imagefleet/process';
import { createRegistryClient, RegistryError } from '@imagefleet/registry';

const USER = 'alice';
const PASSWORD = 'correct-horse-battery-staple';
const WRONG = 'not-the-password-9z';

let dir: string;
/** A DOCKER_CONFIG dir holding `config`; the env points at it and has no IMAGEFLEET_* variables. */
function dockerConfig(name: string, config: unknown): NodeJS.ProcessEnv {
  const configDir = join(dir, name);
  rmSync(configDir, { recursive: true, force: true });
  mkdirSync(configDir);
  writeFileSync(join(configDir, 'config.json'), JSON.stringify(config), { mode: 0o600 });
  return { DOCKER_CONFIG: configDir, PATH: process.env.PATH };
}
const auth = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'imagefleet-auth-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('htpasswd (Basic)', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: { user: USER, password: PASSWORD } });
  });
  afterAll(() => registry?.stop());

  test('works with credentials from DOCKER_CONFIG config.json', async () => {
    const env = dockerConfig('good', { auths: { [registry.host]: { auth: auth(USER, PASSWORD) } } });
    const client = createRegistryClient({ host: registry.host, env });
    expect(await client.ping()).toEqual({ status: 'ok', scheme: 'http', auth: 'basic' });
    const pushed = await pushRandomImage(client, 'team/app', 'v1', { layers: 2 });
    const result = await client.verify('team/app', 'v1', { expectedDigest: pushed.digest });
    expect(result.status, result.detail).toBe('verified');
  });

  test('listRepositories reads the catalog with the credentials; without them, unauthorized saying so', async () => {
    const env = dockerConfig('catalog', { auths: { [registry.host]: { auth: auth(USER, PASSWORD) } } });
    const client = createRegistryClient({ host: registry.host, env });
    await pushRandomImage(client, 'team/listed', 'v1');
    expect(await client.listRepositories()).toContain('team/listed');
    const error = await createRegistryClient({ host: registry.host, env: dockerConfig('catalog-none', {}) })
      .listRepositories()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect((error as Error).message).toMatch(/GET catalog .*no credentials for 127\.0\.0\.1:\d+/);
  });

  test('works with IMAGEFLEET_REGISTRY_USER/PASSWORD', async () => {
    const env = {
      ...dockerConfig('empty-env', {}),
      IMAGEFLEET_REGISTRY_USER: USER,
      IMAGEFLEET_REGISTRY_PASSWORD: PASSWORD,
    };
    expect((await createRegistryClient({ host: registry.host, env }).ping()).status).toBe('ok');
  });

  test('without credentials: unauthorized, saying none were found', async () => {
    const env = dockerConfig('none', { auths: {} });
    const client = createRegistryClient({ host: registry.host, env });
    const ping = await client.ping();
    expect(ping.status).toBe('unauthorized');
    const result = await client.verify('team/app', 'v1');
    expect(result.status).toBe('unauthorized');
    expect(result.detail).toMatch(/no credentials for 127\.0\.0\.1:\d+.*no entry for 127\.0\.0\.1:\d+.*docker login/);
  });

  test('with a wrong password: unauthorized, naming the user and the source, never the password', async () => {
    const env = dockerConfig('wrong', { auths: { [registry.host]: { auth: auth(USER, WRONG) } } });
    const client = createRegistryClient({ host: registry.host, env });
    const result = await client.verify('team/app', 'v1');
    expect(result.status).toBe('unauthorized');
    expect(result.detail).toContain(
      `refused the credentials of user "${USER}" from ${join(dir, 'wrong', 'config.json')}`,
    );
    const ping = await client.ping();
    expect(ping.status).toBe('unauthorized');
    for (const text of [result.detail, JSON.stringify(ping)]) {
      expect(text).not.toContain(WRONG);
      expect(text).not.toContain(auth(USER, WRONG));
    }
  });
});

describe('Bearer tokens', () => {
  let registry: RunningRegistry;
  let tokens: RunningTokenServer;
  beforeAll(async () => {
    registry = await startRegistry();
    tokens = await startTokenServer({
      upstream: registry.host,
      users: { [USER]: PASSWORD },
      refreshTokens: { 'refresh-abc': USER },
    });
  });
  afterAll(async () => {
    await tokens?.stop();
    await registry?.stop();
  });

  test('push and verify through the token flow; one token per scope, reused', async () => {
    const env = dockerConfig('bearer', { auths: { [tokens.host]: { auth: auth(USER, PASSWORD) } } });
    const client = createRegistryClient({ host: tokens.host, env });
    expect(await client.ping()).toEqual({ status: 'ok', scheme: 'http', auth: 'bearer' });
    const pushed = await pushRandomImage(client, 'team/app', 'v1', { layers: 3 });

    const before = tokens.tokenRequests.length;
    const result = await client.verify('team/app', 'v1', { expectedDigest: pushed.digest });
    expect(result.status, result.detail).toBe('verified');
    // Pulls need `repository:team/app:pull`: fetched once, and used by all five requests.
    const pulls = tokens.tokenRequests.filter((r) => r.scopes.includes('repository:team/app:pull'));
    expect(pulls).toHaveLength(1);
    expect(tokens.tokenRequests.length - before).toBeLessThanOrEqual(1);
    expect(pulls[0]).toMatchObject({ method: 'GET', user: USER, service: tokens.service, status: 200 });
    expect(tokens.tokenRequests.find((r) => r.scopes.includes('repository:team/app:pull,push'))?.user).toBe(USER);
  });

  test('an expired token is replaced', async () => {
    const short = await startTokenServer({ upstream: registry.host, users: { [USER]: PASSWORD }, expiresIn: 60 });
    try {
      // The token's expiry goes by the client's clock: a fake one says exactly when it runs out.
      // It reads 1970, so the client trusts it over the server's issued_at (token.ts), and the
      // server's own 60 s is far away in real time.
      const clock = createFakeClock(0);
      const client = createRegistryClient({
        host: short.host,
        credentials: { username: USER, password: PASSWORD },
        clock,
      });
      await pushRandomImage(client, 'team/expiring', 'v1');
      expect((await client.verify('team/expiring', 'v1')).status).toBe('verified');
      const count = () => short.tokenRequests.filter((r) => r.scopes.includes('repository:team/expiring:pull')).length;
      const first = count();
      // expires_in 60 s, less 6 s (a tenth) for the request in flight: usable for 54 s.
      await clock.advance(53_999);
      expect((await client.verify('team/expiring', 'v1')).status).toBe('verified');
      expect(count()).toBe(first);
      await clock.advance(1);
      expect((await client.verify('team/expiring', 'v1')).status).toBe('verified');
      expect(count()).toBe(first + 1);
    } finally {
      await short.stop();
    }
  });

  test('an identity token is exchanged by the OAuth2 POST form', async () => {
    const env = dockerConfig('identity', { auths: { [tokens.host]: { identitytoken: 'refresh-abc' } } });
    const client = createRegistryClient({ host: tokens.host, env });
    const before = tokens.tokenRequests.length;
    await pushRandomImage(
      createRegistryClient({ host: tokens.host, credentials: { username: USER, password: PASSWORD } }),
      'team/oauth',
      'v1',
    );
    expect((await client.verify('team/oauth', 'v1')).status).toBe('verified');
    expect(tokens.tokenRequests.slice(before).some((r) => r.method === 'POST' && r.user === USER)).toBe(true);
  });

  test('a refused password: unauthorized, naming the token server, not the password', async () => {
    const client = createRegistryClient({ host: tokens.host, credentials: { username: USER, password: WRONG } });
    const result = await client.verify('team/app', 'v1');
    expect(result.status).toBe('unauthorized');
    expect(result.detail).toContain(`token server ${tokens.realm}`);
    expect(result.detail).toContain(`user "${USER}"`);
    expect(result.detail).not.toContain(WRONG);
    await expect(client.getManifest('team/app', 'v1')).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });

  test('anonymous: the token grants nothing, so unauthorized with "no credentials"', async () => {
    const client = createRegistryClient({ host: tokens.host, env: dockerConfig('anon', {}) });
    const result = await client.verify('team/app', 'v1');
    expect(result.status).toBe('unauthorized');
    expect(result.detail).toMatch(
      /no credentials for 127\.0\.0\.1:\d+ \(token realm http:\/\/127\.0\.0\.1:\d+\/token\)/,
    );
    const error = await client.getManifest('team/app', 'v1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('UNAUTHORIZED');
  });

  test('listRepositories asks the token server for registry:catalog:*, and reads the catalog', async () => {
    const client = createRegistryClient({ host: tokens.host, credentials: { username: USER, password: PASSWORD } });
    await pushRandomImage(client, 'team/in-catalog', 'v1');
    const before = tokens.tokenRequests.length;
    expect(await client.listRepositories()).toContain('team/in-catalog');
    expect(tokens.tokenRequests.slice(before)).toEqual([
      expect.objectContaining({ scopes: ['registry:catalog:*'], user: USER, status: 200 }),
    ]);
  });

  test('the registry front never saw a password, only Bearer tokens', () => {
    const seen = tokens.frontAuthorizations.filter((a): a is string => a !== undefined);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((a) => a.startsWith('Bearer '))).toBe(true);
  });
});

describe('Bearer tokens from a token server behind a private CA', () => {
  let registry: RunningRegistry;
  let tokens: RunningTokenServer;
  let cert: TestCertificate;
  beforeAll(async () => {
    [registry, cert] = await Promise.all([startRegistry(), makeSelfSignedCert()]);
    tokens = await startTokenServer({
      upstream: registry.host,
      users: { [USER]: PASSWORD },
      tls: { certFile: cert.certFile, keyFile: cert.keyFile },
    });
  });
  afterAll(async () => {
    await tokens?.stop();
    await registry?.stop();
    cert?.dispose();
  });

  test("the host's caFile is trusted for its token realm too (both the GET and the OAuth2 POST form)", async () => {
    expect(tokens.realm).toMatch(/^https:/);
    const credentials = { username: USER, password: PASSWORD };
    const client = createRegistryClient({ host: tokens.host, scheme: 'https', caFile: cert.certFile, credentials });
    const pushed = await pushRandomImage(client, 'team/private-ca', 'v1');
    expect((await client.verify('team/private-ca', 'v1', { expectedDigest: pushed.digest })).status).toBe('verified');
    expect(tokens.tokenRequests.some((r) => r.method === 'GET' && r.user === USER && r.status === 200)).toBe(true);

    const env = dockerConfig('private-ca-identity', { auths: { [tokens.host]: { identitytoken: 'unknown-refresh' } } });
    const identity = createRegistryClient({ host: tokens.host, scheme: 'https', caFile: cert.certFile, env });
    const before = tokens.tokenRequests.length;
    const refused = await identity.verify('team/private-ca', 'v1');
    expect(refused.status, refused.detail).toBe('unauthorized'); // the POST reached the server (not a TLS failure)
    expect(tokens.tokenRequests.slice(before).some((r) => r.method === 'POST' && r.status === 401)).toBe(true);
  });

  test('ping (what doctor and preflight ask) gets its token through the CA too; without the CA: unreachable', async () => {
    const credentials = { username: USER, password: PASSWORD };
    expect(
      await createRegistryClient({ host: tokens.host, scheme: 'https', caFile: cert.certFile, credentials }).ping(),
    ).toEqual({
      status: 'ok',
      scheme: 'https',
      auth: 'bearer',
    });
    expect((await createRegistryClient({ host: tokens.host, scheme: 'https', credentials }).ping()).status).toBe(
      'unreachable',
    );
  });
});
