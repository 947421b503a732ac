/**
 * The push phase: every push reference, under the cross-process push limit, each attempt
 * watched for stalls, failed attempts retried with backoff (the image is not rebuilt), all of
 * it bounded by the overall timeout.
 */
import { explainPushFailure, parsePushDigest } from '@imagefleet/buildkit';
import { acquireSlot, runCommand, type Redactor } from '@imagefleet/process';
import type { ServiceLog } from '@imagefleet/report';
import type { ServiceContext } from './context.js';
import { say, seconds } from './console.js';
import { backoffMs, delay } from './retry.js';
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
  const overall = AbortSignal.any([ctx.signal, AbortSignal.timeout(policy.timeoutSeconds * 1000)]);
  const maxAttempts = policy.retries + 1;
  let lastError = '';
  let attempts = 0;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    attempts = attempt;
    if (overall.aborted) break;
    let slot: Awaited<ReturnType<typeof acquireSlot>> | undefined;
    try {
      const waitStart = Date.now();
      slot = await acquireSlot(ctx.paths.pushSlots, ctx.manifest.concurrency.push, { signal: overall });
      const waited = Date.now() - waitStart;
      log.line(`push attempt ${attempt}/${maxAttempts} (slot ${slot.slot} of ${ctx.manifest.concurrency.push}, waited ${seconds(waited)} s)`);
      say(ctx.service.name, `push attempt ${attempt}/${maxAttempts} started`);
      let digest = '';
      for (const ref of ctx.refs.push.slice(0, 1)) {
        const cmd = ctx.builder.pushCommand(ref);
        log.line(`$ ${[cmd.file, ...cmd.args].join(' ')}`);
        const result = await runCommand(cmd.file, cmd.args, {
          env: cmd.env,
          redact,
          signal: overall,
          stallMs: policy.stallSeconds * 1000,
          onLine: (line) => log.line(line),
        });
        if (!result.ok) {
          if (await wasInterrupted(ctx.signal, result)) {
            return { ok: false, digest: '', attempts, durationMs: Date.now() - started, error: 'interrupted', interrupted: true };
          }
          const explained = explainPushFailure(`${result.stdout}\n${result.stderr}`, ctx.manifest.registry.pushHost);
          throw new Error(result.aborted ? `push timed out after ${policy.timeoutSeconds} s` : (explained ?? result.reason));
        }
        const pushed = parsePushDigest(result.stdout);
        if (!pushed) throw new Error(`docker push ${ref} printed no digest`);
        if (digest && pushed !== digest) throw new Error(`tags of one image were pushed with different digests: ${digest} and ${pushed}`);
        digest = pushed;
      }
      return { ok: true, digest, attempts, durationMs: Date.now() - started, error: '', interrupted: false };
    } catch (error) {
      if (ctx.signal.aborted) {
        return { ok: false, digest: '', attempts, durationMs: Date.now() - started, error: 'interrupted', interrupted: true };
      }
      lastError = redact((error as Error).message || String(error));
      log.line(`push attempt ${attempt}/${maxAttempts} failed: ${lastError}`);
      say(ctx.service.name, `push attempt ${attempt}/${maxAttempts} failed: ${lastError}`);
      if (overall.aborted) {
        lastError = `push timed out after ${policy.timeoutSeconds} s (${lastError})`;
        break;
      }
    } finally {
      await slot?.release();
    }
    if (attempt < maxAttempts) {
      const wait = backoffMs(attempt);
      log.line(`retrying in ${seconds(wait)} s`);
      try {
        await delay(wait, overall);
      } catch {
        break;
      }
    }
  }
  const error = `push failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${lastError}`;
  return { ok: false, digest: '', attempts, durationMs: Date.now() - started, error, interrupted: ctx.signal.aborted };
}
