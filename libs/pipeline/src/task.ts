/**
 * The Nx tasks of one service, end to end, each recording exactly one truthful summary row:
 * `image` (secrets → preflight → build) hands off to `push` (push → verify). Whatever happens —
 * bad secrets, an unreachable registry, a failed build, a stalled push, an incomplete image, an
 * interrupt — the row says so, with the phase and the reason.
 */
import type { Phase, RowStatus, ServiceLog, SummaryRow } from '@imagefleet/report';
import { openServiceLog, recordRow } from '@imagefleet/report';
import { createRedactor, type Redactor } from '@imagefleet/process';
import { loadServiceSecrets, type ServiceContext } from './context.js';
import { buildImage, resolveBaseImages, type ResolvedBase } from './build.js';
import { checkContent, contentRef, retagToDigest, verifyTagsResolve } from './unchanged.js';
import { pushImage } from './push.js';
import { verifyService } from './verify.js';
import { readBuildRecord, writeBuildRecord } from './handoff.js';
import { preflightRegistry } from './preflight.js';
import { say, seconds } from './console.js';
import { recordDigestPin } from './digests.js';
import { recordNotStarted } from './not-started.js';
import { servicesOfNxCommand } from './invocation.js';
import { nxAncestor } from './run-id.js';
import { emptyRow } from './rows.js';
import { WRAPPED_ENV } from './run-env.js';

export interface TaskOutcome {
  ok: boolean;
  row: SummaryRow | null;
}

/**
 * What the `push` target runs: the service's image (unless its content is already in the
 * registry), then push and verify — one process per service, so `nx run-many -t push` starts
 * one task per service, not two.
 */
export async function runServiceTask(ctx: ServiceContext): Promise<TaskOutcome> {
  const image = await runImageTask(ctx);
  if (!image.ok || ctx.signal.aborted) return image;
  return runPushTask(ctx);
}

export async function runImageTask(ctx: ServiceContext): Promise<TaskOutcome> {
  const startedAt = new Date().toISOString();
  const row = baseRow(ctx, startedAt);
  let redact: Redactor = createRedactor([]);
  const log = await openServiceLog({ dir: ctx.paths.logs, service: ctx.service.name, tag: ctx.service.tags[0]!, redact: (s) => redact(s), append: false });
  log.line(`run ${ctx.runId}: ${ctx.refs.reference[0]}`);
  const fail = (phase: Phase, error: string, status: RowStatus = 'failed') => finish(ctx, log, { ...row, status, phase, error }, true);

  let secrets: ReturnType<typeof loadServiceSecrets>;
  try {
    secrets = loadServiceSecrets(ctx);
    redact = secrets.redact;
  } catch (error) {
    say(ctx.service.name, `secrets: ${(error as Error).message}`);
    return fail('secrets', (error as Error).message);
  }

  const preflight = await preflightRegistry(ctx.manifest, ctx.env);
  if (!preflight.ok) {
    say(ctx.service.name, `preflight failed: ${preflight.detail}`);
    return fail('preflight', preflight.detail);
  }

  let base: ResolvedBase;
  let content: Awaited<ReturnType<typeof checkContent>>;
  try {
    base = await resolveBaseImages(ctx);
    content = await checkContent(ctx, base);
  } catch (error) {
    const message = redact((error as Error).message);
    say(ctx.service.name, `build failed: ${message}`);
    return fail('build', message);
  }
  const record = { runId: ctx.runId, service: ctx.service.name, startedAt, baseDigests: base.digests, contentTag: content.contentTag };
  if (content.digest) {
    log.line(`unchanged: ${contentRef(ctx, content.contentTag)} is in the registry and verifies (${content.digest}); nothing to build`);
    say(ctx.service.name, `unchanged (${content.contentTag}), nothing to build`);
    await writeBuildRecord(ctx.paths.builds, { ...record, imageId: '', buildSeconds: 0, unchanged: true, digest: content.digest });
    await log.detach();
    return { ok: true, row: null };
  }

  say(ctx.service.name, 'build started');
  const build = await buildImage(ctx, log, secrets, base);
  row.buildSeconds = seconds(build.durationMs);
  if (!build.ok) {
    say(ctx.service.name, `build ${build.interrupted ? 'interrupted' : 'failed'} after ${row.buildSeconds} s: ${build.error}`);
    return fail('build', build.error, build.interrupted ? 'interrupted' : 'failed');
  }
  say(ctx.service.name, `build done in ${row.buildSeconds} s`);
  await writeBuildRecord(ctx.paths.builds, { ...record, imageId: build.imageId, buildSeconds: row.buildSeconds, unchanged: false, digest: '' });
  await log.detach();
  return { ok: true, row: null };
}

export async function runPushTask(ctx: ServiceContext): Promise<TaskOutcome> {
  const record = await readBuildRecord(ctx.paths.builds, ctx.service.name);
  const fresh = record?.runId === ctx.runId;
  const row = baseRow(ctx, fresh ? record!.startedAt : new Date().toISOString());
  if (fresh) row.buildSeconds = record!.buildSeconds;
  let redact: Redactor = createRedactor([]);
  const log = await openServiceLog({ dir: ctx.paths.logs, service: ctx.service.name, tag: ctx.service.tags[0]!, redact: (s) => redact(s), append: fresh });
  const fail = (phase: Phase, error: string, status: RowStatus = 'failed') => finish(ctx, log, { ...row, status, phase, error }, true);
  try {
    redact = loadServiceSecrets(ctx).redact; // push output never holds secrets, but an error might quote one
  } catch (error) {
    return fail('secrets', (error as Error).message);
  }
  if (!fresh) log.line(`no build of ${ctx.service.name} in run ${ctx.runId}: pushing the image the engine has tagged`);

  if (fresh && record!.unchanged) return finishUnchanged(ctx, log, row, record!.digest);

  say(ctx.service.name, 'push started');
  const push = await pushImage(ctx, log, redact);
  row.pushSeconds = seconds(push.durationMs);
  row.attempts = push.attempts;
  if (!push.ok) {
    say(ctx.service.name, `push ${push.interrupted ? 'interrupted' : 'failed'} after ${row.pushSeconds} s: ${push.error}`);
    return fail('push', push.error, push.interrupted ? 'interrupted' : 'failed');
  }
  say(ctx.service.name, `push done in ${row.pushSeconds} s (attempt ${push.attempts}), ${push.digest}`);

  // The primary tag, walked in full (every manifest and blob) against the digest docker reported.
  const primary = ctx.service.tags.slice(0, 1);
  const verification = await verifyService(ctx.manifest, ctx.service, ctx.env, push.digest, primary);
  row.verifySeconds = seconds(verification.durationMs);
  row.verify = verification.result.status;
  if (verification.result.status !== 'verified') {
    const error = `${verification.host}: ${verification.result.detail}`;
    say(ctx.service.name, `verify failed: ${error}`);
    return fail('verify', error);
  }
  row.digest = verification.result.digest;
  say(ctx.service.name, `verified ${row.digest} (${verification.result.manifests} manifest(s), ${verification.result.blobs} blob(s)) in ${row.verifySeconds} s`);
  // Only a verified image gets its other tags and its content tag (what the next run trusts).
  try {
    const tags = [...ctx.service.tags.slice(1), ...(fresh && record!.contentTag ? [record!.contentTag] : [])];
    const moved = await retagToDigest(ctx, row.digest, tags);
    if (moved.length) log.line(`tagged ${moved.join(', ')} → ${row.digest} through the registry API`);
    const extra = await verifyTagsResolve(ctx, row.digest, moved);
    if (extra) return fail('verify', extra);
  } catch (error) {
    return fail('push', `could not tag ${row.digest}: ${(error as Error).message}`);
  }
  await recordDigestPin(ctx, row.digest);
  return finish(ctx, log, { ...row, status: 'pushed' }, false);
}

/** Nothing built or pushed: point the tags at the verified content digest, verify, and say so. */
async function finishUnchanged(ctx: ServiceContext, log: ServiceLog, row: SummaryRow, digest: string): Promise<TaskOutcome> {
  const fail = (phase: Phase, error: string) => finish(ctx, log, { ...row, status: 'failed', phase, error }, true);
  try {
    const moved = await retagToDigest(ctx, digest);
    if (moved.length) log.line(`tagged ${moved.join(', ')} → ${digest} through the registry API`);
  } catch (error) {
    return fail('push', `could not point the tags at ${digest}: ${(error as Error).message}`);
  }
  const verification = await verifyService(ctx.manifest, ctx.service, ctx.env, digest);
  row.verifySeconds = seconds(verification.durationMs);
  row.verify = verification.result.status;
  if (verification.result.status !== 'verified') return fail('verify', `${verification.host}: ${verification.result.detail}`);
  row.digest = verification.result.digest;
  say(ctx.service.name, `unchanged, verified ${row.digest}`);
  await recordDigestPin(ctx, row.digest);
  return finish(ctx, log, { ...row, status: 'unchanged' }, false);
}

/** The services of the `nx` command line this process runs under, if it runs under one. */
function coveredByNxCommand(ctx: ServiceContext): string[] | null {
  const nx = nxAncestor();
  return nx ? servicesOfNxCommand(nx.args, ctx.manifest) : null;
}

function baseRow(ctx: ServiceContext, startedAt: string): SummaryRow {
  return emptyRow(ctx.manifest, ctx.service, ctx.runId, startedAt);
}

async function finish(ctx: ServiceContext, log: ServiceLog, row: SummaryRow, failed: boolean): Promise<TaskOutcome> {
  const final: SummaryRow = { ...row, error: row.error.replace(/\s+/g, ' ').trim(), finishedAt: new Date().toISOString() };
  log.line(`${final.status}${final.phase ? ` (${final.phase})` : ''}${final.error ? `: ${final.error}` : ''}`);
  await log.close();
  await recordRow(ctx.paths.logs, final, { tag: ctx.service.tags[0]! });
  if (final.status === 'interrupted' && !ctx.env[WRAPPED_ENV]) {
    // Under a bare `nx run-many`, nobody else will write rows for the services Nx never
    // started (Nx runs no plugin hook after an interrupt); `imagefleet run` does it itself.
    const covered = ctx.covered !== undefined ? ctx.covered : coveredByNxCommand(ctx);
    if (covered) await recordNotStarted(ctx.manifest, ctx.runId, covered, { interrupted: true });
  }
  return { ok: !failed, row: final };
}
