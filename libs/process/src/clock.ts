/**
 * Time as a parameter. Code whose behaviour depends on time (backoff, stall watches, deadlines,
 * token expiry, connect and header timeouts) takes a {@link Clock} instead of reading
 * `Date.now()` and calling `setTimeout` behind its callers' back, so a spec can run it on a
 * {@link FakeClock} and say exactly when each thing happens ("the second attempt starts 2000 ms
 * after the first fails") without waiting for it.
 */

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with `signal.reason` as soon as the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` after `ms`; the function returned cancels it (calling it late does nothing). */
  after(ms: number, fn: () => void): () => void;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleepOn(systemClock, ms, signal),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

/** `sleep` in terms of `after`, for any clock. */
function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      cancel();
      reject(signal!.reason);
    };
    const cancel = clock.after(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A clock that moves only when a spec moves it. */
export interface FakeClock extends Clock {
  /**
   * Move time forward by `ms`, firing each timer that falls due at its own instant, in order, and
   * letting the code it wakes run (its promises and I/O callbacks) before the next one fires.
   * Code that goes on to do slow I/O may set its next timer after `advance` has moved past it:
   * advance to one expected timer at a time (see {@link FakeClock.pending}).
   */
  advance(ms: number): Promise<void>;
  /**
   * Resolves once `count` timers of exactly `ms` are set (e.g. the backoff the code under test is
   * in), or without `ms`, any timer: the event to wait for before advancing.
   */
  pending(ms?: number, count?: number): Promise<void>;
  /** The durations of the timers set and not yet fired or cancelled, soonest first. */
  readonly timers: number[];
}

interface FakeTimer {
  at: number;
  ms: number;
  fn: () => void;
}

/** @param start the epoch ms the fake clock starts at @default 0 */
export function createFakeClock(start = 0): FakeClock {
  let now = start;
  let timers: FakeTimer[] = [];
  const waiters: { ms: number | undefined; count: number; resolve: () => void }[] = [];
  const set = (ms: number | undefined) => timers.filter((t) => ms === undefined || t.ms === ms).length;
  const clock: FakeClock = {
    now: () => now,
    sleep: (ms, signal) => sleepOn(clock, ms, signal),
    after(ms, fn) {
      const timer: FakeTimer = { at: now + Math.max(0, ms), ms, fn };
      // Stable: two timers due at one instant fire in the order they were set, as Node's do.
      timers.splice(timers.filter((t) => t.at <= timer.at).length, 0, timer);
      for (const w of waiters.filter((w) => set(w.ms) >= w.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      return () => {
        timers = timers.filter((t) => t !== timer);
      };
    },
    async advance(ms) {
      const until = now + ms;
      await settle();
      for (let next = timers[0]; next && next.at <= until; next = timers[0]) {
        timers.shift();
        now = next.at;
        next.fn();
        await settle();
      }
      now = until;
    },
    pending(ms, count = 1) {
      if (set(ms) >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ ms, count, resolve }));
    },
    get timers() {
      return timers.map((t) => t.ms);
    },
  };
  return clock;
}

/** A few turns of the real event loop: enough for woken promise chains and quick I/O to run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
