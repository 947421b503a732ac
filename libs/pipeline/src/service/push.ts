/**
 * The push phase: the primary reference, through the engine's API, under the push limit shared
 * by every process pushing from this workspace; each attempt watched for upload progress (not
 * for output: a large layer uploads in silence), failed attempts retried with backoff (the image
 * is not rebuilt), all of it bounded by the overall timeout. A stalled upload is retried only on
 * an engine that really stops it when asked: dockerd with the classic image store (20.10) keeps
 * the upload and every retry would wait on it, so there the push fails at once and says why.
 */
import { explainPushFailure, type PushProgress } from '@imagefleet/buildkit';
import { acquireSlot, type Redactor } from '@imagefleet/process';
import type { ServiceLog } from '@imagefleet/report';
import type { ServiceContext } from './context.js';
import { seconds } from '../seconds.js';
import { backoffMs } from '../retry.js';

export interface PushOutcome {
  ok: boolean;
  digest: string;
  attempts: number;
  durationMs: number;
  error: string;
  interrupted: boolean;
  /** A builder that pushes itself failed before its push began: the build failed, not the push. */
  buildFailed?: boolean;
}

/** One attempt: pushed with this digest, or why not (`final`: a failure no retry can fix). */
export type PushAttemptResult =
  { ok: true; digest: string } | { ok: false; error: string; final: boolean; buildFailed?: boolean };

/**
 * Pushes the primary tag — through the engine, or with `attempt` (a builder that pushes itself) —
 * retried and bounded; the other tags are set through the registry API once it verifies.
 */
export async function pushImage(
  ctx: ServiceContext,
  log: ServiceLog,
  redact: Redactor,
  attempt: (signal: AbortSignal) => Promise<PushAttemptResult> = (signal) =>
    enginePushAttempt(ctx, ctx.refs.push[0]!, log, signal, ctx.manifest.push.stallSeconds),
): Promise<PushOutcome> {
  const policy = ctx.manifest.push;
  const { clock } = ctx;
  const started = clock.now();
  // A timer of our own, held until the push ends: AbortSignal.timeout() can be collected on
  // Node 20 while only AbortSignal.any() refers to it, and then never fires.
  const deadline = new AbortController();
  const cancelDeadline = clock.after(policy.timeoutSeconds * 1000, () =>
    deadline.abort(new Error(`timed out after ${policy.timeoutSeconds} s`)),
  );
  const overall = AbortSignal.any([ctx.signal, deadline.signal]);
  const outcome = (fields: Partial<PushOutcome>): PushOutcome => ({
    ok: false,
    digest: '',
    attempts,
    durationMs: clock.now() - started,
    error: '',
    interrupted: false,
    ...fields,
  });
  const timedOut = () =>
    outcome({
      error: `push timed out after ${policy.timeoutSeconds} s${lastError ? ` (last attempt: ${lastError})` : ''}`,
    });
  const interrupted = () => outcome({ error: 'interrupted', interrupted: true });
  const maxAttempts = policy.retries + 1;
  let lastError = '';
  let attempts = 0;
  try {
    for (let n = 1; n <= maxAttempts; n++) {
      if (ctx.signal.aborted) return interrupted();
      if (deadline.signal.aborted) return timedOut();
      attempts = n;
      let slot: Awaited<ReturnType<typeof acquireSlot>> | undefined;
      try {
        const waitStart = clock.now();
        slot = await acquireSlot(ctx.paths.pushSlots, ctx.manifest.concurrency.push, { signal: overall, clock });
        log.line(
          `push attempt ${n}/${maxAttempts} (slot ${slot.slot} of ${ctx.manifest.concurrency.push}, waited ${seconds(clock.now() - waitStart)} s)`,
        );
        ctx.say(ctx.service.name, `push attempt ${n}/${maxAttempts} started`);
        const attemptResult = await attempt(overall);
        if (attemptResult.ok) return outcome({ ok: true, digest: attemptResult.digest });
        if (ctx.signal.aborted) return interrupted();
        if (deadline.signal.aborted) return timedOut();
        lastError = redact(attemptResult.error);
        if (attemptResult.final) {
          log.line(`push attempt ${n}/${maxAttempts} failed, not retried: ${lastError}`);
          return attemptResult.buildFailed
            ? outcome({ error: lastError, buildFailed: true })
            : outcome({ error: `push failed: ${lastError}` });
        }
        throw new Error(lastError);
      } catch (error) {
        if (ctx.signal.aborted) return interrupted();
        if (deadline.signal.aborted) return timedOut();
        lastError = redact((error as Error).message || String(error));
        log.line(`push attempt ${n}/${maxAttempts} failed: ${lastError}`);
        ctx.say(ctx.service.name, `push attempt ${n}/${maxAttempts} failed: ${lastError}`);
      } finally {
        await slot?.release();
      }
      if (n < maxAttempts) {
        const wait = backoffMs(n);
        log.line(`retrying in ${seconds(wait)} s`);
        await clock.sleep(wait, overall).catch(() => undefined);
      }
    }
    return outcome({ error: `push failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${lastError}` });
  } finally {
    cancelDeadline();
  }
}

/**
 * Which column of the row a push's seconds belong to. A builder that pushes itself runs one
 * command for both; when it failed before its push began, those seconds were spent building
 * (phase build), not pushing.
 */
export function bookedSeconds(
  push: Pick<PushOutcome, 'durationMs' | 'buildFailed'>,
): { buildSeconds: number } | { pushSeconds: number } {
  return push.buildFailed ? { buildSeconds: seconds(push.durationMs) } : { pushSeconds: seconds(push.durationMs) };
}

/** A registry refusal that a retry cannot change: retrying only delays the row. */
export function isAuthFailure(message: string): boolean {
  return /unauthorized|authentication required|no basic auth credentials|denied: requested access/i.test(message);
}

/** Progress lines for a person: at most one every this often. */
const PROGRESS_EVERY_MS = 2000;

/**
 * One push through the engine, aborted when the upload makes no progress for `stallSeconds`.
 * `final`: a failure no retry can fix here (the engine keeps a stalled upload).
 */
async function enginePushAttempt(
  ctx: ServiceContext,
  ref: string,
  log: ServiceLog,
  signal: AbortSignal,
  stallSeconds: number,
): Promise<PushAttemptResult> {
  log.line(`push ${ref} through the engine's API`);
  const { clock } = ctx;
  const stall = new AbortController();
  const attempt = AbortSignal.any([signal, stall.signal]);
  let lastShown = -Infinity;
  // Re-armed on every progress report: the stall is declared exactly stallSeconds after the last one.
  let cancelWatch = () => {};
  const watch = () => {
    cancelWatch();
    cancelWatch = clock.after(stallSeconds * 1000, () =>
      stall.abort(new Error(`no upload progress for ${stallSeconds} s: stalled`)),
    );
  };
  watch();
  try {
    const { digest } = await ctx.engine.push(ref, {
      auth: await ctx.registry.pushAuth(),
      signal: attempt,
      onLine: (line) => log.line(line),
      onProgress: (p: PushProgress) => {
        watch();
        if (p.total > 0 && clock.now() - lastShown >= PROGRESS_EVERY_MS) {
          lastShown = clock.now();
          ctx.say(ctx.service.name, `push ${megabytes(p.done)} of ${megabytes(p.total)} MB`);
        }
      },
    });
    return { ok: true, digest };
  } catch (error) {
    if (!stall.signal.aborted || signal.aborted) {
      const message = (error as Error).message || String(error);
      const explained = explainPushFailure(message, ctx.manifest.registry.pushHost) ?? message;
      // A refusal of the credentials is the same on every attempt: retrying only delays the row.
      return { ok: false, error: explained, final: isAuthFailure(message) };
    }
    const reason = (stall.signal.reason as Error).message;
    log.line(reason);
    const info = await ctx.engineInfo().catch(() => null);
    if (info && !info.containerdStore) {
      return {
        ok: false,
        error: `${reason}; the engine (Docker ${info.version}, classic image store) keeps the stalled upload, so retrying would wait on it`,
        final: true,
      };
    }
    return { ok: false, error: `${reason}, cancelled`, final: false };
  } finally {
    cancelWatch();
  }
}

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}
