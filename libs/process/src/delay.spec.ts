import { describe, expect, it } from 'vitest';
import { delay } from './delay.js';

describe('delay', () => {
  it('waits', async () => {
    const started = Date.now();
    await delay(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('ends early when the run is interrupted', async () => {
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(new Error('interrupted')), 50);
    await expect(delay(10_000, ac.signal)).rejects.toThrow('interrupted');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
