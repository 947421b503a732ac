import { describe, expect, it } from 'vitest';
import { createFakeClock } from '@imagefleet/process';
import { INTERRUPT_GRACE_MS, wasInterrupted } from './build.js';

const killed = { aborted: false, stalled: false, timedOut: false, signal: 'SIGINT', stderr: '', stdout: '' };

describe('wasInterrupted: a builder that died of a signal', () => {
  it('is an interrupt the moment the run’s own interrupt arrives (no time passes)', async () => {
    const clock = createFakeClock();
    const run = new AbortController();
    const judged = wasInterrupted(run.signal, killed, clock);
    await clock.pending(INTERRUPT_GRACE_MS);
    run.abort(new Error('interrupted by SIGINT'));
    await expect(judged).resolves.toBe(true);
    expect(clock.now()).toBe(0);
    expect(clock.timers).toEqual([]);
  });

  it('is a failure when no interrupt of the run follows within the grace', async () => {
    const clock = createFakeClock();
    let verdict: boolean | undefined;
    const judged = wasInterrupted(new AbortController().signal, killed, clock).then((v) => (verdict = v));
    await clock.pending(INTERRUPT_GRACE_MS);
    await clock.advance(INTERRUPT_GRACE_MS - 1);
    expect(verdict).toBeUndefined();
    await clock.advance(1);
    await judged;
    expect(verdict).toBe(false);
  });

  it.each([
    ['our own stall kill', { ...killed, stalled: true }, false],
    ['our own timeout kill', { ...killed, timedOut: true }, false],
    ['an exit of its own', { ...killed, signal: null }, false],
    ['an abort of the run', { ...killed, aborted: true }, true],
  ])('%s is decided at once', async (_name, result, expected) => {
    const clock = createFakeClock();
    await expect(wasInterrupted(new AbortController().signal, result, clock)).resolves.toBe(expected);
    expect(clock.timers).toEqual([]);
  });
});
