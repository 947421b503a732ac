import { describe, expect, it } from 'vitest';
import { createFakeClock, systemClock } from './clock.js';

describe('systemClock.sleep', () => {
  it('ends early, rejecting with the reason, when the signal aborts', async () => {
    const ac = new AbortController();
    const sleeping = systemClock.sleep(600_000, ac.signal);
    ac.abort(new Error('interrupted'));
    await expect(sleeping).rejects.toThrow('interrupted');
  });

  it('rejects at once on a signal already aborted', async () => {
    await expect(systemClock.sleep(600_000, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });
});

describe('createFakeClock', () => {
  it('fires each timer at its own instant, in order, and only when advanced that far', async () => {
    const clock = createFakeClock(1000);
    const fired: [string, number][] = [];
    clock.after(300, () => fired.push(['b', clock.now()]));
    clock.after(100, () => fired.push(['a', clock.now()]));
    clock.after(300, () => fired.push(['c', clock.now()]));
    await clock.advance(299);
    expect(fired).toEqual([['a', 1100]]);
    expect(clock.now()).toBe(1299);
    await clock.advance(1);
    expect(fired).toEqual([
      ['a', 1100],
      ['b', 1300],
      ['c', 1300],
    ]);
  });

  it('runs what a timer wakes before the next timer fires (a timer set then, inside the window, fires too)', async () => {
    const clock = createFakeClock();
    const woke: number[] = [];
    void clock.sleep(100).then(async () => {
      woke.push(clock.now());
      await clock.sleep(50);
      woke.push(clock.now());
    });
    await clock.advance(1000);
    expect(woke).toEqual([100, 150]);
  });

  it('a cancelled timer never fires; an aborted sleep rejects and leaves no timer', async () => {
    const clock = createFakeClock();
    let fired = false;
    const cancel = clock.after(10, () => (fired = true));
    cancel();
    const ac = new AbortController();
    const sleeping = clock.sleep(10, ac.signal);
    ac.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.timers).toEqual([]);
    await clock.advance(100);
    expect(fired).toBe(false);
  });

  it('pending(ms) resolves once a timer of that length is set', async () => {
    const clock = createFakeClock();
    let seen = false;
    const waiting = clock.pending(2000).then(() => (seen = true));
    clock.after(1000, () => undefined);
    await clock.advance(0);
    expect(seen).toBe(false);
    clock.after(2000, () => undefined);
    await waiting;
    expect(clock.timers).toEqual([1000, 2000]);
  });
});
