import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { PushPolicy } from '@imagefleet/manifest';
import { createFakeClock, createRedactor, type FakeClock, type Redactor } from '@imagefleet/process';
import { openServiceLog } from '@imagefleet/report';
import { createRunContext, serviceContext } from './context.js';
import { bookedSeconds, pushImage } from './push.js';
import { pushServices, type ServiceEnd } from '../fleet/run.js';
import { createFakeBuilder, createFakeRegistry, tempWorkspace, type PushStep } from '../testing/fakes.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

const FAIL: PushStep = { exitCode: 1, message: 'received unexpected HTTP status: 500 Internal Server Error' };

function setup(
  policy: Partial<PushPolicy>,
  pushes: PushStep[],
  engine?: { version: string; containerdStore: boolean },
) {
  const ws = tempWorkspace([{ name: 'a' }], policy);
  cleanup.push(ws.remove);
  const registry = createFakeRegistry();
  const clock = createFakeClock();
  const builder = createFakeBuilder(registry, ws.fakesDir, engine, clock);
  builder.plan('a', { pushes });
  const controller = new AbortController();
  const run = createRunContext(ws.manifest, {
    clock,
    runId: 'run-1',
    env: {},
    signal: controller.signal,
    say: () => undefined,
    registry: registry.asRun(),
    builder,
    engine: builder,
  });
  const ctx = serviceContext(run, ws.manifest.services[0]!);
  const push = async (redact: Redactor = createRedactor([])) => {
    const log = openServiceLog({ dir: ctx.paths.logs, service: 'a', tag: 'dev', redact });
    const outcome = await pushImage(ctx, log, redact);
    await log.close();
    return { outcome, log: await readFile(log.path, 'utf8') };
  };
  const pushStarts = () => builder.events().filter((e) => e.kind === 'push' && e.phase === 'start');
  /** When each push attempt started and ended, on the fake clock. */
  const timeline = () => builder.events().map((e) => `${e.phase} ${e.t}`);
  return { ws, registry, builder, controller, clock, push, pushStarts, timeline };
}

/**
 * Let the fake clock run through these timers, one at a time, each once the code has set it:
 * the timeline a test expects, said exactly.
 */
async function runTimers(clock: FakeClock, timers: number[]): Promise<void> {
  for (const ms of timers) {
    await clock.pending(ms);
    await clock.advance(ms);
  }
}

/** A fake push takes 20 ms; a stalled one sleeps this long (until cancelled). */
const PUSH_MS = 20;
const STALLED = 600_000;

/** Every push the engine started has ended (was cancelled, not left running). */
const allPushesEnded = (t: ReturnType<typeof setup>) => {
  const events = t.builder.events().filter((e) => e.kind === 'push');
  return events.filter((e) => e.phase === 'start').length === events.filter((e) => e.phase === 'end').length;
};

describe('pushImage', () => {
  it('retries a failing push with backoff: attempt 2 starts exactly 1 s after attempt 1 failed, attempt 3 2 s after attempt 2', async () => {
    const t = setup({ retries: 2 }, [FAIL, FAIL]);
    const pushing = t.push();
    await runTimers(t.clock, [PUSH_MS, 1000, PUSH_MS, 2000, PUSH_MS]);
    const { outcome, log } = await pushing;
    const pushed = t.builder.calls.filter((c) => c.kind === 'push');
    expect(outcome).toMatchObject({ ok: true, attempts: 3, error: '', interrupted: false, digest: pushed[2]!.digest });
    expect(t.registry.tagsOf('ameide/a')).toEqual({ dev: outcome.digest });
    expect(t.timeline()).toEqual(['start 0', 'end 20', 'start 1020', 'end 1040', 'start 3040', 'end 3060']);
    expect(outcome.durationMs).toBe(3060);
    expect(log).toContain('push attempt 1/3 failed: received unexpected HTTP status: 500 Internal Server Error');
    expect(log).toContain('retrying in 1 s');
    expect(log).toContain('retrying in 2 s');
  });

  it('cancels a push exactly stallSeconds after its last progress and retries it (an engine that really stops it)', async () => {
    const t = setup({ retries: 1, stallSeconds: 1 }, [{ stall: true }]);
    const pushing = t.push();
    await t.clock.pending(STALLED);
    await t.clock.advance(999);
    expect(t.pushStarts()).toHaveLength(1);
    expect(allPushesEnded(t)).toBe(false); // not yet a stall
    await t.clock.advance(1);
    await runTimers(t.clock, [1000, PUSH_MS]); // the backoff, then the second attempt
    const { outcome, log } = await pushing;
    expect(outcome).toMatchObject({ ok: true, attempts: 2, durationMs: 2020 });
    expect(t.timeline()).toEqual(['start 0', 'end 1000', 'start 2000', 'end 2020']);
    expect(log).toContain('push attempt 1/2 failed: no upload progress for 1 s: stalled, cancelled');
  });

  it('on an engine that keeps a cancelled upload (classic store, Docker 20.10) a stall fails at once and says why', async () => {
    const t = setup({ retries: 3, stallSeconds: 1 }, [{ stall: true }], {
      version: '20.10.24',
      containerdStore: false,
    });
    const pushing = t.push();
    await t.clock.pending(STALLED);
    await t.clock.advance(1000);
    const { outcome } = await pushing;
    expect(outcome).toMatchObject({ ok: false, attempts: 1, interrupted: false, durationMs: 1000 });
    expect(outcome.error).toBe(
      'push failed: no upload progress for 1 s: stalled; the engine (Docker 20.10.24, classic image store) keeps the stalled upload, so retrying would wait on it',
    );
    expect(t.clock.timers).toEqual([]); // no backoff: nothing left to wait for
  });

  it('a slow upload that keeps making progress is not a stall', async () => {
    const t = setup({ retries: 0, stallSeconds: 1 }, [{ ms: 2500, progressEveryMs: 200 }]);
    const pushing = t.push();
    await t.clock.pending(2500);
    await t.clock.advance(2500); // 12 progress reports, each re-arming the 1 s watch
    const { outcome } = await pushing;
    expect(outcome).toMatchObject({ ok: true, attempts: 1, durationMs: 2500 });
  });

  it('a refusal of the credentials is not retried', async () => {
    const t = setup({ retries: 3 }, [{ exitCode: 1, message: 'unauthorized: authentication required' }]);
    const pushing = t.push();
    await runTimers(t.clock, [PUSH_MS]);
    const { outcome } = await pushing;
    expect(t.clock.timers).toEqual([]); // no backoff
    expect(outcome).toMatchObject({ ok: false, attempts: 1 });
    expect(outcome.error).toBe(
      'push failed: localhost:5001 refused the credentials: set IMAGEFLEET_REGISTRY_USER/_PASSWORD or docker login localhost:5001',
    );
  });

  it('ends a push still running at timeoutSeconds, exactly then: failed with "push timed out after N s", not interrupted', async () => {
    const t = setup({ retries: 3, stallSeconds: 60, timeoutSeconds: 2 }, [{ stall: true }]);
    const pushing = t.push();
    await t.clock.pending(STALLED);
    await t.clock.advance(2000);
    const { outcome } = await pushing;
    expect(outcome).toMatchObject({
      ok: false,
      interrupted: false,
      attempts: 1,
      error: 'push timed out after 2 s',
      durationMs: 2000,
    });
    expect(allPushesEnded(t)).toBe(true);
  });

  it('a timeout during the backoff ends the retries at the deadline, naming the last attempt', async () => {
    const t = setup({ retries: 5, timeoutSeconds: 2 }, [FAIL, FAIL, FAIL, FAIL]);
    const pushing = t.push();
    await runTimers(t.clock, [PUSH_MS, 1000, PUSH_MS]);
    await t.clock.pending(2000, 2); // the deadline and the second backoff (until 3040)
    await t.clock.advance(960);
    const { outcome } = await pushing;
    expect(outcome).toMatchObject({ ok: false, interrupted: false, attempts: 2, durationMs: 2000 });
    expect(outcome.error).toBe(
      'push timed out after 2 s (last attempt: received unexpected HTTP status: 500 Internal Server Error)',
    );
  });

  it('an interrupt during an attempt kills it at once: interrupted, not retried', async () => {
    const t = setup({ retries: 3 }, [{ stall: true }]);
    const pushing = t.push();
    await t.clock.pending(STALLED);
    t.controller.abort(new Error('interrupted by SIGINT'));
    const { outcome } = await pushing; // the fake clock never moves: only the abort can end it
    expect(outcome).toMatchObject({ ok: false, interrupted: true, error: 'interrupted', attempts: 1, durationMs: 0 });
    expect(t.pushStarts()).toHaveLength(1);
    expect(allPushesEnded(t)).toBe(true);
  });

  it('an interrupt during the backoff ends it at once', async () => {
    const t = setup({ retries: 3 }, [FAIL, FAIL, FAIL]);
    const pushing = t.push();
    await runTimers(t.clock, [PUSH_MS]);
    await t.clock.pending(1000);
    t.controller.abort(new Error('interrupted by SIGINT'));
    const { outcome } = await pushing;
    expect(outcome).toMatchObject({ ok: false, interrupted: true, attempts: 1, durationMs: PUSH_MS });
    expect(t.clock.timers).toEqual([]); // the backoff was cancelled, not waited out
  });

  // Parse raw, redact for display: a secret value that occurs in the digest line must neither
  // reach the log nor mask the digest (a good push would be retried, then failed).
  it('reads the pushed digest from the raw output, also when a secret value occurs in it', async () => {
    const digest = `sha256:deadbeef${'0'.repeat(56)}`;
    const t = setup({ retries: 0 }, [{ printDigest: digest }]);
    const pushing = t.push(createRedactor(['deadbeef']));
    await runTimers(t.clock, [PUSH_MS]);
    const { outcome, log } = await pushing;
    expect(log).not.toContain('deadbeef');
    expect(outcome).toMatchObject({ ok: true, digest });
  });
});

describe('a timed-out push in a run', () => {
  it('is a failed row in phase push with the timeout, and outcome failed, not interrupted', async () => {
    const ws = tempWorkspace([{ name: 'a' }], { retries: 3, stallSeconds: 60, timeoutSeconds: 2 });
    cleanup.push(ws.remove);
    const registry = createFakeRegistry();
    const clock = createFakeClock();
    const builder = createFakeBuilder(registry, ws.fakesDir, undefined, clock);
    builder.plan('a', { pushes: [{ stall: true }] });
    const ends: ServiceEnd[] = [];
    const run = (async () => {
      for await (const end of pushServices(ws.manifest, ['a'], {
        env: {},
        signal: new AbortController().signal,
        jobs: 1,
        say: () => undefined,
        registry: registry.asRun(),
        builder,
        engine: builder,
        clock,
      }))
        ends.push(end);
    })();
    await clock.pending(STALLED);
    await clock.advance(2000);
    await run;
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({
      outcome: { kind: 'failed', phase: 'push', reason: 'push timed out after 2 s' },
      row: { status: 'failed', phase: 'push', attempts: 1, error: 'push timed out after 2 s', pushSeconds: 2 },
    });
  });
});

describe('bookedSeconds', () => {
  it.each([
    [{ durationMs: 4200 }, { pushSeconds: 4.2 }],
    [{ durationMs: 4200, buildFailed: false }, { pushSeconds: 4.2 }],
    // A builder that pushes itself and failed before its push began: its time was the build's.
    [{ durationMs: 4200, buildFailed: true }, { buildSeconds: 4.2 }],
  ])('%j → %j', (push, booked) => expect(bookedSeconds(push)).toEqual(booked));
});
