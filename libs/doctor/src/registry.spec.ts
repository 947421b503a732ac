import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { credentialsAccepted, portHolder, registryAnswers } from './registry.js';
import { formatDoctor } from './types.js';

const servers: { close(): unknown }[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('registryAnswers: the fix names the field and the CA that set the scheme', () => {
  const speaksHttp = {
    status: 'http-vs-https',
    detail:
      'localhost:5601 speaks plain HTTP, but it was addressed over HTTPS (EPROTO): mark the registry `insecure: true` in services.manifest.yaml, or push through a loopback host',
  } as const;

  it('a caFile on an HTTP registry: remove the caFile', () => {
    const check = registryAnswers('localhost:5601', speaksHttp, { field: 'host', caFile: '/etc/ca.pem' });
    expect(check).toEqual({
      name: 'registry localhost:5601',
      ok: false,
      detail: 'localhost:5601 speaks plain HTTP, but it was addressed over HTTPS (EPROTO)',
      fix: 'registry.hosts["localhost:5601"].caFile (/etc/ca.pem) makes imagefleet speak HTTPS to it: remove the caFile and set insecure: true for localhost:5601, or serve TLS there',
    });
  });

  it('no caFile: set insecure', () => {
    expect(registryAnswers('localhost:5601', speaksHttp).fix).toMatch(/^set `insecure: true` for localhost:5601/);
  });

  it('an unreachable reference host names registry.host', () => {
    const ping = { status: 'unreachable', detail: 'GET /v2/ at h:1: connection refused' } as const;
    expect(registryAnswers('h:1', ping, { field: 'host', caFile: null }).fix).toContain('correct registry.host');
  });
});

describe('registryAnswers / credentialsAccepted', () => {
  it.each([
    [
      { status: 'ok', scheme: 'http', auth: 'anonymous' } as const,
      true,
      'answers /v2/ over HTTP',
      'none needed (anonymous access)',
    ],
    [{ status: 'ok', scheme: 'https', auth: 'basic' } as const, true, 'answers /v2/ over HTTPS', 'accepted (basic)'],
    [
      { status: 'unauthorized', detail: 'GET /v2/ at h failed: 401' } as const,
      true,
      'answers /v2/ and asks for credentials',
      false,
    ],
  ])('%j', (ping, answers, detail, credentials) => {
    const a = registryAnswers('h:1', ping);
    expect([a.ok, a.detail]).toEqual([answers, detail]);
    const c = credentialsAccepted('h:1', ping)!;
    if (credentials === false) {
      expect(c.ok).toBe(false);
      expect(c.fix).toContain('docker login h:1');
    } else expect(c).toEqual({ name: 'credentials h:1', ok: true, detail: credentials, fix: '' });
  });

  it('HTTP vs HTTPS names the scheme and the manifest key to change', () => {
    const plain = registryAnswers('reg.example:5000', {
      status: 'http-vs-https',
      detail:
        'reg.example:5000 speaks plain HTTP, but it was addressed over HTTPS (EPROTO): mark the registry `insecure: true` …',
    });
    expect(plain).toEqual({
      name: 'registry reg.example:5000',
      ok: false,
      detail: 'reg.example:5000 speaks plain HTTP, but it was addressed over HTTPS (EPROTO)',
      fix: 'set `insecure: true` for reg.example:5000 in services.manifest.yaml (registry.insecure, or registry.hosts["reg.example:5000"].insecure)',
    });
    const tls = registryAnswers('h:1', {
      status: 'http-vs-https',
      detail: 'h:1 speaks HTTPS, but it was addressed over plain HTTP (…): remove …',
    });
    expect(tls.fix).toBe('remove `insecure: true` for h:1 in services.manifest.yaml');
    expect(credentialsAccepted('h:1', { status: 'unreachable', detail: 'x' })).toBeNull();
  });

  it('formats ✓/✗ lines with the fix, and a count', () => {
    expect(
      formatDoctor([
        registryAnswers('h:1', { status: 'unreachable', detail: 'no answer from h:1 within 10 s' }),
        { name: 'x', ok: true, detail: 'fine', fix: '' },
      ]),
    ).toBe(
      '✗ registry h:1: no answer from h:1 within 10 s — start the registry (bash tools/dev-env/up.sh) or correct registry.pushHost\n✓ x: fine\n2 checks: 1 problem(s)\n',
    );
  });
});

describe('portHolder (a loopback push host: what holds its port?)', () => {
  it('a registry (Docker-Distribution-API-Version) passes', async () => {
    const host = await listen(
      createHttpServer((_, res) => res.writeHead(200, { 'Docker-Distribution-API-Version': 'registry/2.0' }).end('{}')),
    );
    expect(await portHolder(host, 'http')).toMatchObject({
      ok: true,
      detail: `a registry (registry/2.0) holds ${host}`,
    });
  });

  it('a plain HTTP server is a collision, named with its answer', async () => {
    const host = await listen(
      createHttpServer((_, res) => res.writeHead(404, { Server: 'SimpleHTTP/0.6' }).end('nope')),
    );
    const port = host.split(':')[1];
    const check = await portHolder(host, 'http');
    expect(check).toEqual({
      name: `port ${port}`,
      ok: false,
      detail: `${host} answers GET /v2/ with HTTP 404 (SimpleHTTP/0.6) and no Docker-Distribution-API-Version: not a registry`,
      fix: `free port ${port} (who holds it: ss -ltnp 'sport = :${port}') or move the registry: change the port in registry.pushHost/host and regenerate with imagefleet cluster-config`,
    });
  });

  it('a listener that never answers is a collision too (bounded wait)', async () => {
    const host = await listen(createTcpServer(() => undefined));
    const check = await portHolder(host, 'http', 300);
    expect(check.ok).toBe(false);
    expect(check.detail).toBe(`${host} accepts connections but sends no HTTP answer within 0.3 s: not a registry`);
  });

  it('nothing listening: start the registry', async () => {
    const server = createTcpServer();
    const host = await listen(server);
    await new Promise((r) => server.close(r));
    const check = await portHolder(host, 'http');
    expect([check.ok, check.detail]).toEqual([false, `nothing listens on ${host}`]);
  });
});
