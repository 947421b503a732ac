import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '@imagefleet/process';
import { send } from './send.js';

/** A loopback server that answers by path and counts the TCP connections it accepted. */
let server: Server;
let origin: string;
let connections = 0;
const bodies: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      if (req.url === '/empty') return void res.writeHead(204).end();
      if (req.url === '/silent') return; // never answers; closed by afterAll
      const json = JSON.stringify({ method: req.method, length: req.headers['content-length'] ?? null });
      // As distribution does: a HEAD answer carries the length and no body (without a length,
      // Node's server would close the connection after it).
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(json),
        'docker-content-digest': 'sha256:abc',
        'x-two': ['a', 'b'],
      });
      res.end(req.method === 'HEAD' ? undefined : json);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('send', () => {
  it('answers a Response with status, repeated headers and the whole body', async () => {
    const res = await send(new URL('/m', origin), { method: 'GET', headers: {}, timeoutMs: 5000 });
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-content-digest')).toBe('sha256:abc');
    expect(res.headers.get('x-two')).toBe('a, b');
    expect(await res.json()).toEqual({ method: 'GET', length: null });
  });

  it('gives HEAD and 204 answers no body, as fetch does', async () => {
    expect((await send(new URL('/m', origin), { method: 'HEAD', headers: {}, timeoutMs: 5000 })).body).toBeNull();
    expect((await send(new URL('/empty', origin), { method: 'GET', headers: {}, timeoutMs: 5000 })).body).toBeNull();
  });

  it('reuses one kept-alive socket for GET and HEAD, never for a PUT', async () => {
    await send(new URL('/m', origin), { method: 'GET', headers: {}, timeoutMs: 5000 }); // warm the pool
    const before = connections;
    for (let i = 0; i < 5; i++)
      await send(new URL('/m', origin), { method: i % 2 ? 'HEAD' : 'GET', headers: {}, timeoutMs: 5000 });
    expect(connections - before).toBe(0);
    const put = await send(new URL('/m', origin), {
      method: 'PUT',
      headers: {},
      body: new TextEncoder().encode('{"x":1}'),
      timeoutMs: 5000,
    });
    expect(await put.json()).toEqual({ method: 'PUT', length: '7' });
    expect(bodies.at(-1)).toBe('{"x":1}');
    expect(connections - before).toBe(1);
  });

  it('fails with a TimeoutError exactly timeoutMs after it was sent when no answer comes', async () => {
    const clock = createFakeClock();
    const settled: string[] = [];
    const sending = send(new URL('/silent', origin), { method: 'GET', headers: {}, timeoutMs: 200, clock }).catch(
      (error: Error) => (settled.push(`${clock.now()}`), error),
    );
    await clock.pending(200);
    await clock.advance(199);
    expect(settled).toEqual([]);
    await clock.advance(1);
    expect(await sending).toMatchObject({ name: 'TimeoutError', message: 'no answer within 200 ms' });
    expect(settled).toEqual(['200']);
  });
});
