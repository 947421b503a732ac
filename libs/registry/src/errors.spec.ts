import { describe, expect, test } from 'vitest';
import { errorFromResponse } from './errors.js';

const ctx = { host: 'reg.example.com', repository: 'ameide/web', operation: 'PUT manifest dev' };

describe('errorFromResponse names the status, and for a rate limit how long to wait', () => {
  test.each([
    [
      '429 with a plain-text body and no reason phrase',
      new Response('rate limited', { status: 429, headers: { 'retry-after': '30' } }),
      'PUT manifest dev at reg.example.com/ameide/web failed: 429 Too Many Requests (Retry-After: 30): rate limited',
    ],
    [
      '429 with the distribution error body',
      new Response(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }), {
        status: 429,
        statusText: 'Too Many Requests',
        headers: { 'retry-after': 'Wed, 02 Dec 2026 18:00:00 GMT' },
      }),
      'PUT manifest dev at reg.example.com/ameide/web failed: 429 Too Many Requests (Retry-After: Wed, 02 Dec 2026 18:00:00 GMT): TOOMANYREQUESTS: slow down',
    ],
    [
      '429 without Retry-After',
      new Response('', { status: 429 }),
      'PUT manifest dev at reg.example.com/ameide/web failed: 429 Too Many Requests',
    ],
    [
      'another status keeps no Retry-After',
      new Response('nope', { status: 500, headers: { 'retry-after': '5' } }),
      'PUT manifest dev at reg.example.com/ameide/web failed: 500 Internal Server Error: nope',
    ],
  ])('%s', async (_name, res, message) => {
    const error = await errorFromResponse(res, ctx);
    expect(error.message).toBe(message);
  });

  test('a 429 stays retryable with its status', async () => {
    const error = await errorFromResponse(new Response('x', { status: 429, headers: { 'retry-after': '1' } }), ctx);
    expect([error.status, error.retryable]).toEqual([429, true]);
  });
});
