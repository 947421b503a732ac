import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort, startRegistry, type RunningRegistry } from '../support/registry-server.js';
import { createRegistryClient } from '@imagefleet/registry';

let registry: RunningRegistry;
beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(() => registry?.stop());

const FAST = { retries: 1, baseDelayMs: 1 };

async function listening<S extends Server | NetServer>(
  server: S,
): Promise<{ host: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('ping', () => {
  test('a plain-HTTP loopback registry answers ok over http', async () => {
    expect(await createRegistryClient({ host: registry.host }).ping()).toEqual({
      status: 'ok',
      scheme: 'http',
      auth: 'anonymous',
    });
    // `localhost` is loopback too, so it also gets http without being marked insecure.
    const viaName = createRegistryClient({ host: `localhost:${registry.port}` });
    expect(viaName.scheme).toBe('http');
    expect((await viaName.ping()).status).toBe('ok');
  });

  test('HTTPS against the plain-HTTP registry is http-vs-https, with the fix', async () => {
    const client = createRegistryClient({ host: registry.host, scheme: 'https' });
    const result = await client.ping();
    expect(result.status).toBe('http-vs-https');
    if (result.status !== 'http-vs-https') return;
    expect(result.detail).toContain(`${registry.host} speaks plain HTTP, but it was addressed over HTTPS`);
    expect(result.detail).toContain(
      'mark the registry `insecure: true` in services.manifest.yaml, or push through a loopback host',
    );
  });

  test('plain HTTP against an HTTPS server (Go answers 400) is http-vs-https', async () => {
    // What Go's net/http TLS server writes when a plain-HTTP request arrives (server.go).
    const tlsOnly = await listening(
      createNetServer((socket) => {
        socket.once('data', () =>
          socket.end('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n'),
        );
      }),
    );
    try {
      const result = await createRegistryClient({ host: tlsOnly.host, retry: FAST }).ping();
      expect(result.status).toBe('http-vs-https');
      expect(result.status !== 'ok' && result.detail).toMatch(
        /speaks HTTPS, but it was addressed over plain HTTP.*remove `insecure: true`/,
      );
    } finally {
      await tlsOnly.close();
    }
  });

  test('a closed port is unreachable: nothing listens at host:port', async () => {
    const port = await freePort();
    const result = await createRegistryClient({ host: `127.0.0.1:${port}`, retry: FAST }).ping();
    expect(result).toEqual({
      status: 'unreachable',
      network: 'refused',
      detail: expect.stringContaining(`nothing listens at 127.0.0.1:${port} (ECONNREFUSED)`),
    });
  });

  test('a name that does not resolve is unreachable, and says so', async () => {
    const result = await createRegistryClient({ host: 'registry.imagefleet.invalid:5000', retry: FAST }).ping();
    expect(result.status).toBe('unreachable');
    expect(result.status !== 'ok' && result.detail).toMatch(
      /registry\.imagefleet\.invalid does not resolve from this machine \((ENOTFOUND|EAI_AGAIN)\)/,
    );
  });

  test('a web server that is not a registry is unreachable, naming the answer', async () => {
    const web = await listening(
      createHttpServer((_, res) => {
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<h1>Not Found</h1>');
      }),
    );
    try {
      const result = await createRegistryClient({ host: web.host, retry: FAST }).ping();
      expect(result.status).toBe('unreachable');
      expect(result.status !== 'ok' && result.detail).toMatch(/404 Not Found.*not a registry API/);
    } finally {
      await web.close();
    }
  });
});

test('a server that never answers times out as unreachable', async () => {
  const sockets: Socket[] = [];
  const silent = await listening(createNetServer((socket) => void sockets.push(socket)));
  try {
    const result = await createRegistryClient({ host: silent.host, timeoutMs: 200, retry: { retries: 0 } }).ping();
    expect(result.status).toBe('unreachable');
    expect(result.status !== 'ok' && result.detail).toMatch(/did not answer in time \(TimeoutError\)/);
  } finally {
    for (const socket of sockets) socket.destroy();
    await silent.close();
  }
});
