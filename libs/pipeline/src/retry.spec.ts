import { describe, expect, it } from 'vitest';
import { backoffMs, delay } from './retry.js';

describe('backoffMs', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [6, 30_000],
    [20, 30_000],
  ])('attempt %i waits %i ms', (attempt, ms) => {
    expect(backoffMs(attempt)).toBe(ms);
  });
});

describe('delay', () => {
  it('ends early when the run is interrupted', async () => {
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(new Error('interrupted')), 50);
    await expect(delay(10_000, ac.signal)).rejects.toThrow('interrupted');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
