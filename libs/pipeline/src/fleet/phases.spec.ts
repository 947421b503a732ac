import { expect, test } from 'vitest';
import pLimit from 'p-limit';
import { createPhaseLog, withPhases } from './phases.js';
import type { ServiceRunShared } from '../service/push-service.js';

/** A clock the test moves: every span is exact. */
function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

test('spans in seconds from the run start; attempt and note kept; end only once', () => {
  const clock = fakeClock();
  const log = createPhaseLog(clock.now);
  clock.advance(250);
  const waiting = log.begin('api', 'push-wait', 1);
  clock.advance(1000);
  waiting.end();
  const pushing = log.begin('api', 'push', 1);
  clock.advance(1500);
  pushing.end('no upload progress for 60 s: stalled, cancelled');
  clock.advance(500);
  pushing.end('later call: ignored');
  expect(log.spans()).toEqual({
    api: [
      { phase: 'push-wait', start: 0.25, end: 1.25, attempt: 1 },
      { phase: 'push', start: 1.25, end: 2.75, attempt: 1, note: 'no upload progress for 60 s: stalled, cancelled' },
    ],
  });
});

test('a span still open is closed by settle (the service ended), or shown unfinished', () => {
  const clock = fakeClock();
  const log = createPhaseLog(clock.now);
  log.begin('a', 'verify');
  log.begin('b', 'build');
  clock.advance(2000);
  log.settle('a');
  clock.advance(1000);
  expect(log.spans()).toEqual({
    a: [{ phase: 'verify', start: 0, end: 2 }],
    b: [{ phase: 'build', start: 0, end: 3, note: 'unfinished' }],
  });
});

test('withPhases: the wait for a build slot and the build are spans of their own', async () => {
  const clock = fakeClock();
  const log = createPhaseLog(clock.now);
  const builds = pLimit(1);
  const shared: ServiceRunShared = {
    preflight: Promise.resolve({ ok: true, detail: '' }),
    checkSlot: (fn) => fn(),
    buildSlot: (fn) => builds(fn),
  };
  let releaseFirst!: () => void;
  const first = withPhases(shared, log, 'first').buildSlot(
    () => new Promise<void>((resolve) => (releaseFirst = () => (clock.advance(3000), resolve()))),
  );
  const second = withPhases(shared, log, 'second').buildSlot(async () => clock.advance(2000));
  await new Promise((r) => setImmediate(r));
  releaseFirst();
  await Promise.all([first, second]);
  expect(log.spans()).toEqual({
    first: [
      { phase: 'build-wait', start: 0, end: 0 },
      { phase: 'build', start: 0, end: 3 },
    ],
    second: [
      { phase: 'build-wait', start: 0, end: 3 },
      { phase: 'build', start: 3, end: 5 },
    ],
  });
});
