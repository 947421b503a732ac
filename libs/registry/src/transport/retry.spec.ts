import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { createFakeClock } from '@imagefleet/process';
import { DEFAULT_RETRY, parseRetryAfter, withRetry, type RetryPolicy } from './retry.js';

const FAST: RetryPolicy = { retries: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 2000 };

let server: Server | undefined;
afterEach(
  () =>
    new Promise<void>((resolve) =>
      server ? (server.closeAllConnections(), server.close(() => resolve())) : resolve(),
    ),
);

/** A server answering the n-th request with `answers[n]` (the last one repeats). */
async function serve(
  answers: ((req: IncomingMessage, res: ServerResponse) => void)[],
): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  server = createServer((req, res) => answers[Math.min(hits++, answers.length - 1)]!(req, res));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, hits: () => hits };
}

const status =
  (code: number, headers: Record<string, string> = {}) =>
  (_: IncomingMessage, res: ServerResponse) => {
    res.writeHead(code, headers);
    res.end(String(code));
  };
const reset = (req: IncomingMessage) => req.socket.destroy();

describe('withRetry', () => {
  test('GET is retried through 502/503/504 until it succeeds', async () => {
    const s = await serve([status(502), status(503), status(504), status(200)]);
    const res = await withRetry('GET', FAST, () => fetch(s.url));
    expect(res.status).toBe(200);
    expect(s.hits()).toBe(4);
  });

  test('retries are bounded: the last answer is returned', async () => {
    const s = await serve([status(503)]);
    const res = await withRetry('HEAD', FAST, () => fetch(s.url, { method: 'HEAD' }));
    expect(res.status).toBe(503);
    expect(s.hits()).toBe(1 + FAST.retries);
  });

  test('429 waits exactly Retry-After before asking again', async () => {
    const clock = createFakeClock();
    const s = await serve([status(429, { 'retry-after': '1' }), status(200)]);
    const answered = withRetry('GET', FAST, () => fetch(s.url), clock);
    await clock.pending(1000);
    await clock.advance(999);
    expect(s.hits()).toBe(1);
    await clock.advance(1);
    expect((await answered).status).toBe(200);
    expect(s.hits()).toBe(2);
  });

  test('backoff doubles from baseDelayMs: 100 ms, then 200 ms, then 400 ms', async () => {
    const clock = createFakeClock();
    const s = await serve([status(503), status(503), status(503), status(200)]);
    const answered = withRetry('GET', DEFAULT_RETRY, () => fetch(s.url), clock);
    for (const [ms, hitsBefore] of [
      [100, 1],
      [200, 2],
      [400, 3],
    ] as const) {
      await clock.pending(ms);
      expect(s.hits()).toBe(hitsBefore);
      await clock.advance(ms);
    }
    expect((await answered).status).toBe(200);
    expect(clock.now()).toBe(700);
  });

  test('a Retry-After longer than the cap is not waited for', async () => {
    const s = await serve([status(429, { 'retry-after': '3600' }), status(200)]);
    const res = await withRetry('GET', FAST, () => fetch(s.url));
    expect(res.status).toBe(429);
    expect(s.hits()).toBe(1);
  });

  test('a connection reset is retried', async () => {
    const s = await serve([reset, status(200)]);
    const res = await withRetry('GET', FAST, () => fetch(s.url));
    expect(res.status).toBe(200);
    expect(s.hits()).toBe(2);
  });

  test('non-idempotent requests are not retried', async () => {
    const s = await serve([status(503), status(201)]);
    const res = await withRetry('PUT', FAST, () => fetch(s.url, { method: 'PUT', body: 'x' }));
    expect(res.status).toBe(503);
    expect(s.hits()).toBe(1);
  });

  test('404 and 500 are answers, not retried', async () => {
    const s = await serve([status(404), status(200)]);
    expect((await withRetry('GET', FAST, () => fetch(s.url))).status).toBe(404);
    expect(s.hits()).toBe(1);
  });

  test.each([
    ['5', 5000],
    ['0', 0],
    [null, undefined],
    ['soon', undefined],
  ])('Retry-After %s → %s ms', (value, ms) => {
    expect(parseRetryAfter(value)).toBe(ms);
  });

  test('Retry-After as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now)).toBe(3000);
  });
});
