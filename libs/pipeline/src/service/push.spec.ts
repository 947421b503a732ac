import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { PushPolicy } from '@imagefleet/manifest';
import { createRedactor, type Redactor } from '@imagefleet/process';
import { openServiceLog } from '@imagefleet/report';
import { createRunContext, serviceContext } from './context.js';
import { bookedSeconds, pushImage } from './push.js';
import { pushServices } from '../fleet/run.js';
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
  const builder = createFakeBuilder(registry, ws.fakesDir, engine);
  builder.plan('a', { pushes });
  const controller = new AbortController();
  const run = createRunContext(ws.manifest, {
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
  return { ws, registry, builder, controller, push, pushStarts };
}

/** Every push the engine started has ended (was cancelled, not left running). */
const allPushesEnded = (t: ReturnType<typeof setup>) => {
  const events = t.builder.events().filter((e) => e.kind === 'push');
  return events.filter((e) => e.phase === 'start').length === events.filter((e) => e.phase === 'end').length;
};

describe('pushImage', () => {
  it('retries a failing push with backoff (1 s, then 2 s) and lands on the third attempt', async () => {
    const t = setup({ retries: 2 }, [FAIL, FAIL]);
    const { outcome, log } = await t.push();
    const pushed = t.builder.calls.filter((c) => c.kind === 'push');
    expect(outcome).toMatchObject({ ok: true, attempts: 3, error: '', interrupted: false, digest: pushed[2]!.digest });
    expect(t.registry.tagsOf('ameide/a')).toEqual({ dev: outcome.digest });
    const [first, second, third] = t.pushStarts().map((e) => e.t);
    expect(second! - first!).toBeGreaterThanOrEqual(1000);
    expect(third! - second!).toBeGreaterThanOrEqual(2000);
    expect(log).toContain('push attempt 1/3 failed: received unexpected HTTP status: 500 Internal Server Error');
    expect(log).toContain('retrying in 1 s');
    expect(log).toContain('retrying in 2 s');
  });

  it('cancels a push whose upload makes no progress for stallSeconds and retries it (an engine that really stops it)', async () => {
    const t = setup({ retries: 1, stallSeconds: 1 }, [{ stall: true }]);
    const { outcome, log } = await t.push();
    expect(outcome).toMatchObject({ ok: true, attempts: 2 });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(2000); // 1 s without progress + 1 s backoff
    expect(log).toContain('push attempt 1/2 failed: no upload progress for 1 s: stalled, cancelled');
    expect(allPushesEnded(t)).toBe(true);
  });

  it('on an engine that keeps a cancelled upload (classic store, Docker 20.10) a stall fails at once and says why', async () => {
    const t = setup({ retries: 3, stallSeconds: 1 }, [{ stall: true }], {
      version: '20.10.24',
      containerdStore: false,
    });
    const { outcome } = await t.push();
    expect(outcome).toMatchObject({ ok: false, attempts: 1, interrupted: false });
    expect(outcome.error).toBe(
      'push failed: no upload progress for 1 s: stalled; the engine (Docker 20.10.24, classic image store) keeps the stalled upload, so retrying would wait on it',
    );
    expect(outcome.durationMs).toBeLessThan(3000);
  });

  it('a slow upload that keeps making progress is not a stall', async () => {
    const t = setup({ retries: 0, stallSeconds: 1 }, [{ ms: 2500, progressEveryMs: 200 }]);
    const { outcome } = await t.push();
    expect(outcome).toMatchObject({ ok: true, attempts: 1 });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(2500);
  });

  it('a refusal of the credentials is not retried', async () => {
    const t = setup({ retries: 3 }, [{ exitCode: 1, message: 'unauthorized: authentication required' }]);
    const { outcome } = await t.push();
    expect(outcome).toMatchObject({ ok: false, attempts: 1 });
    expect(outcome.error).toBe(
      'push failed: localhost:5001 refused the credentials: set IMAGEFLEET_REGISTRY_USER/_PASSWORD or docker login localhost:5001',
    );
  });

  it('ends a push still running at timeoutSeconds: failed with "push timed out after N s", not interrupted', async () => {
    const t = setup({ retries: 3, stallSeconds: 60, timeoutSeconds: 2 }, [{ stall: true }]);
    const { outcome } = await t.push();
    expect(outcome).toMatchObject({ ok: false, interrupted: false, attempts: 1, error: 'push timed out after 2 s' });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(2000);
    expect(outcome.durationMs).toBeLessThan(4500);
    expect(allPushesEnded(t)).toBe(true);
  });

  it('a timeout during the backoff ends the retries, naming the last attempt', async () => {
    const t = setup({ retries: 5, timeoutSeconds: 2 }, [FAIL, FAIL, FAIL, FAIL]);
    const { outcome } = await t.push();
    expect(outcome).toMatchObject({ ok: false, interrupted: false, attempts: 2 });
    expect(outcome.error).toBe(
      'push timed out after 2 s (last attempt: received unexpected HTTP status: 500 Internal Server Error)',
    );
    expect(outcome.durationMs).toBeLessThan(4500);
  });

  it('an interrupt during an attempt kills it: interrupted, not retried', async () => {
    const t = setup({ retries: 3 }, [{ stall: true }]);
    const pushing = t.push();
    await t.builder.waitFor((events) => events.some((e) => e.kind === 'push' && e.phase === 'start'));
    const abortedAt = Date.now();
    t.controller.abort(new Error('interrupted by SIGINT'));
    const { outcome } = await pushing;
    expect(outcome).toMatchObject({ ok: false, interrupted: true, error: 'interrupted', attempts: 1 });
    expect(Date.now() - abortedAt).toBeLessThan(3000);
    expect(t.pushStarts()).toHaveLength(1);
  });

  it('an interrupt during the backoff ends it at once', async () => {
    const t = setup({ retries: 3 }, [FAIL, FAIL, FAIL]);
    const pushing = t.push();
    await t.builder.waitFor((events) => events.some((e) => e.kind === 'push' && e.phase === 'end'));
    const abortedAt = Date.now();
    t.controller.abort(new Error('interrupted by SIGINT'));
    const { outcome } = await pushing;
    expect(outcome).toMatchObject({ ok: false, interrupted: true, attempts: 1 });
    expect(Date.now() - abortedAt).toBeLessThan(800); // the backoff is 1 s
  });

  // Parse raw, redact for display: a secret value that occurs in the digest line must neither
  // reach the log nor mask the digest (a good push would be retried, then failed).
  it('reads the pushed digest from the raw output, also when a secret value occurs in it', async () => {
    const digest = `sha256:deadbeef${'0'.repeat(56)}`;
    const t = setup({ retries: 0 }, [{ printDigest: digest }]);
    const { outcome, log } = await t.push(createRedactor(['deadbeef']));
    expect(log).not.toContain('deadbeef');
    expect(outcome).toMatchObject({ ok: true, digest });
  });
});

describe('a timed-out push in a run', () => {
  it('is a failed row in phase push with the timeout, and outcome failed, not interrupted', async () => {
    const ws = tempWorkspace([{ name: 'a' }], { retries: 3, stallSeconds: 60, timeoutSeconds: 2 });
    cleanup.push(ws.remove);
    const registry = createFakeRegistry();
    const builder = createFakeBuilder(registry, ws.fakesDir);
    builder.plan('a', { pushes: [{ stall: true }] });
    const ends = [];
    for await (const end of pushServices(ws.manifest, ['a'], {
      env: {},
      signal: new AbortController().signal,
      jobs: 1,
      say: () => undefined,
      registry: registry.asRun(),
      builder,
      engine: builder,
    }))
      ends.push(end);
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({
      outcome: { kind: 'failed', phase: 'push', reason: 'push timed out after 2 s' },
      row: { status: 'failed', phase: 'push', attempts: 1, error: 'push timed out after 2 s' },
    });
    expect(ends[0]!.row.pushSeconds).toBeGreaterThanOrEqual(2);
    expect(ends[0]!.row.pushSeconds).toBeLessThan(4.5);
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
