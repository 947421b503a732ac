/**
 * The push phase: the primary reference, under the push limit shared by every process pushing
 * from this workspace, each attempt watched for stalls, failed attempts retried with backoff
 * (the image is not rebuilt), all of it bounded by the overall timeout.
 */
import { explainPushFailure, pushDigestReader } from '@imagefleet/buildkit';
import { acquireSlot, runCommand, type Redactor } from '@imagefleet/process';
import type { ServiceLog } from '@imagefleet/report';
import type { ServiceContext } from './context.js';
import { seconds } from '../seconds.js';
import { backoffMs, delay } from '../retry.js';
import { wasInterrupted } from './build.js';

export interface PushOutcome {
  ok: boolean;
  digest: string;
  attempts: number;
  durationMs: number;
  error: string;
  interrupted: boolean;
}

/** Pushes the primary tag; the other tags are set through the registry API once it verifies. */
export async function pushImage(ctx: ServiceContext, log: ServiceLog, redact: Redactor): Promise<PushOutcome> {
  const policy = ctx.manifest.push;
  const started = Date.now();
  // A timer of our own, held until the push ends: AbortSignal.timeout() can be collected on
  // Node 20 while only AbortSignal.any() refers to it, and then never fires.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error(`timed out after ${policy.timeoutSeconds} s`)), policy.timeoutSeconds * 1000);
  const overall = AbortSignal.any([ctx.signal, deadline.signal]);
  const outcome = (fields: Partial<PushOutcome>): PushOutcome => ({
    ok: false,
    digest: '',
    attempts,
    durationMs: Date.now() - started,
    error: '',
    interrupted: false,
    ...fields,
  });
  const timedOut = () => outcome({ error: `push timed out after ${policy.timeoutSeconds} s${lastError ? ` (last attempt: ${lastError})` : ''}` });
  const interrupted = () => outcome({ error: 'interrupted', interrupted: true });
  const maxAttempts = policy.retries + 1;
  let lastError = '';
  let attempts = 0;
  try {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (ctx.signal.aborted) return interrupted();
      if (deadline.signal.aborted) return timedOut();
      attempts = attempt;
      let slot: Awaited<ReturnType<typeof acquireSlot>> | undefined;
      try {
        const waitStart = Date.now();
        slot = await acquireSlot(ctx.paths.pushSlots, ctx.manifest.concurrency.push, { signal: overall });
        log.line(`push attempt ${attempt}/${maxAttempts} (slot ${slot.slot} of ${ctx.manifest.concurrency.push}, waited ${seconds(Date.now() - waitStart)} s)`);
        ctx.say(ctx.service.name, `push attempt ${attempt}/${maxAttempts} started`);
        const ref = ctx.refs.push[0]!;
        const cmd = ctx.builder.pushCommand(ref);
        log.line(`$ ${[cmd.file, ...cmd.args].join(' ')}`);
        // Parsed raw (a masked short secret must not break the digest), shown redacted.
        const pushed = pushDigestReader();
        const result = await runCommand(cmd.file, cmd.args, {
          env: cmd.env,
          redact,
          onRawLine: pushed.line,
          signal: overall,
          stallMs: policy.stallSeconds * 1000,
          onLine: (line) => log.line(line),
        });
        if (result.ok) {
          const digest = pushed.digest();
          if (!digest) throw new Error(`docker push ${ref} printed no digest`);
          return outcome({ ok: true, digest });
        }
        if (deadline.signal.aborted) return timedOut();
        if (await wasInterrupted(ctx.signal, result)) return interrupted();
        throw new Error(explainPushFailure(`${result.stdout}\n${result.stderr}`, ctx.manifest.registry.pushHost) ?? result.reason);
      } catch (error) {
        if (ctx.signal.aborted) return interrupted();
        if (deadline.signal.aborted) return timedOut();
        lastError = redact((error as Error).message || String(error));
        log.line(`push attempt ${attempt}/${maxAttempts} failed: ${lastError}`);
        ctx.say(ctx.service.name, `push attempt ${attempt}/${maxAttempts} failed: ${lastError}`);
      } finally {
        await slot?.release();
      }
      if (attempt < maxAttempts) {
        const wait = backoffMs(attempt);
        log.line(`retrying in ${seconds(wait)} s`);
        await delay(wait, overall).catch(() => undefined);
      }
    }
    return outcome({ error: `push failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${lastError}` });
  } finally {
    clearTimeout(timer);
  }
}
