/**
 * One service end to end: secrets → preflight → the images it builds FROM → content check
 * (the registry already holds this exact image: nothing to build or push) → build → push →
 * verify every manifest and blob → the other tags and the content tag. Whatever happens — bad
 * secrets, an unreachable registry, a failed build, a stalled push, an incomplete image, an
 * interrupt, another run holding the service — the returned outcome says so (with the phase and
 * the reason), and the row is made from it. The caller says its line and records it.
 */
import type { Outcome, Phase, RowFacts, ServiceLog, SummaryRow } from '@imagefleet/report';
import { outcomeLine, outcomeRow } from '@imagefleet/report';
import { acquireSlot, createRedactor, type Redactor } from '@imagefleet/process';
import { join, relative } from 'node:path';
import { rename } from 'node:fs/promises';
import { loadServiceSecrets, openRunLog, type ServiceContext } from './context.js';
import { buildImage, builderPushAttempt, resolveBaseImages, type ResolvedBase } from './build.js';
import { checkContent, contentRef, retagToDigest, verifyTagsResolve, type ContentCheck } from './content.js';
import { bookedSeconds, pushImage } from './push.js';
import { checkReferenceTags, verifyService } from './verify.js';
import { pinFor, type DigestPin } from './digests.js';
import { checkIdentity, withIdentity } from './identity.js';
import type { PreflightOutcome } from './preflight.js';
import { pullAsNode, type PullAsNodeOptions } from './node-pull.js';
import { notStartedRow, rowFacts } from '../rows.js';
import { seconds } from '../seconds.js';

/** What the run shares with each service: its preflight answer and its limits. */
export interface ServiceRunShared {
  /** The run's one registry preflight. */
  preflight: Promise<PreflightOutcome>;
  /** Runs a content check under the run's limit of registry checks in flight. */
  checkSlot: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Runs a build under the run's limit of builds at once. */
  buildSlot: <T>(fn: () => Promise<T>) => Promise<T>;
  /** After verification, pull each image by its reference name through containerd with these hosts.toml, as a node does. */
  asNode?: PullAsNodeOptions | undefined;
}

export interface ServiceResult {
  outcome: Outcome;
  /** The row made from the outcome and what the service did. */
  row: SummaryRow;
  /** The digest pin to record with the row, when the image verified. */
  pin?: { service: string; pin: DigestPin };
}

/**
 * @param knownBases digests of the images it builds FROM that this run just pushed or found
 *   unchanged; any other base is looked up in the registry.
 */
export async function pushService(
  ctx: ServiceContext,
  shared: ServiceRunShared,
  knownBases: Record<string, string>,
): Promise<ServiceResult> {
  // One run per service at a time, across processes: a second run would write into the same
  // log and race the first to the tags. It ends busy and leaves the log alone.
  const busy = new AbortController();
  let holders: number[] = [];
  const lockDir = join(ctx.paths.state, 'services', ctx.service.name);
  let lock: Awaited<ReturnType<typeof acquireSlot>>;
  try {
    lock = await acquireSlot(lockDir, 1, {
      signal: busy.signal,
      onWait: (pids) => {
        holders = pids;
        busy.abort();
      },
    });
  } catch (error) {
    // Only a lock held by another run is busy; a lock file that cannot be written (a full disk) is not.
    const outcome: Outcome = busy.signal.aborted
      ? { kind: 'busy', pids: holders }
      : {
          kind: 'failed',
          phase: 'artifacts',
          reason: `cannot take the service's lock in ${relative(ctx.manifest.root, lockDir)}: ${(error as Error).message}`,
        };
    return { outcome, row: notStartedRow(ctx.manifest, ctx.service, ctx.runId, outcome) };
  }
  try {
    return await pushServiceLocked(ctx, shared, knownBases);
  } finally {
    await lock.release();
  }
}

async function pushServiceLocked(
  unrendered: ServiceContext,
  shared: ServiceRunShared,
  knownBases: Record<string, string>,
): Promise<ServiceResult> {
  // Rendered (templates, labels) once the content key is known; everything before uses the fixed primary tag.
  let ctx = unrendered;
  const name = ctx.service.name;
  const row = rowFacts(ctx.manifest, ctx.service, ctx.runId, new Date().toISOString());
  let redact: Redactor = createRedactor([]);
  // This run holds the service's lock, so an unfinished log is a run that died (kill -9, a
  // crash): keep it, and say so, before this run's log takes its place.
  const died = await keepLogOfDeadRun(ctx);
  const log = openRunLog(ctx, (s) => redact(s));
  log.line(`run ${ctx.runId}: ${ctx.refs.reference[0]}`);
  if (died) {
    log.line(died);
    ctx.say(name, died);
  }
  const end = (outcome: Outcome, fields: Partial<RowFacts> = {}, pin?: ServiceResult['pin']) =>
    finish(log, outcome, { ...row, ...fields, note: [died, fields.note].filter(Boolean).join('; ') }, pin);
  const fail = (phase: Phase, reason: string) => end({ kind: 'failed', phase, reason });
  const interrupted = (phase: Phase | null) => end({ kind: 'interrupted', phase });

  let secrets: ReturnType<typeof loadServiceSecrets>;
  try {
    secrets = loadServiceSecrets(ctx);
    redact = secrets.redact;
  } catch (error) {
    return fail('secrets', (error as Error).message);
  }
  const preflight = await shared.preflight;
  if (!preflight.ok) return fail('preflight', preflight.detail);
  if (ctx.signal.aborted) return interrupted(null);

  let base: ResolvedBase;
  let content: ContentCheck;
  try {
    base = await resolveBaseImages(ctx, knownBases);
    content = await shared.checkSlot(() => checkContent(ctx, base.digests));
  } catch (error) {
    return fail('build', redact((error as Error).message));
  }
  const identified = withIdentity(ctx, content.key);
  if ('error' in identified) return fail('build', identified.error);
  ctx = identified;

  if (content.digest) {
    // The content tag's image was just walked in full (every manifest and blob): point the tags
    // at it and check that each now resolves to it.
    log.line(
      `unchanged: ${contentRef(ctx, content.contentTag)} is in the registry and verifies (${content.digest}); nothing to build or push`,
    );
    const started = Date.now();
    const verifying = ctx.phase('verify');
    const untagged = await pointTags(ctx, content.digest, ctx.service.tags, log, redact);
    if (untagged) return fail(untagged.phase, untagged.reason);
    // The name clusters pull by: its tags must resolve there too, or the note says why it was not asked.
    const reference = await checkReferenceTags(ctx, content.digest);
    if (reference.error) return fail('verify', redact(reference.error));
    if (reference.checked)
      log.line(`tags resolve to ${content.digest} on the reference host ${ctx.manifest.registry.host} too`);
    if (reference.note) log.line(reference.note);
    const foreign = checkIdentity(ctx, content.digest, content.labels, { contentKey: content.key, built: false });
    if (foreign) return fail('verify', foreign);
    verifying.end();
    const nodeFailure = await asNodeFailure(ctx, shared, content.digest, log);
    if (nodeFailure) return fail('verify', nodeFailure);
    if (reference.note) ctx.say(name, reference.note);
    return end(
      { kind: 'unchanged', digest: content.digest },
      {
        verify: 'verified',
        digest: content.digest,
        verifySeconds: seconds(Date.now() - started),
        note: reference.note,
        tags: ctx.service.tags.join(' '),
      },
      pinFor(ctx, content.digest),
    );
  }

  let push: Awaited<ReturnType<typeof pushImage>>;
  if (ctx.builder.pushesItself) {
    // Built and pushed where the builder runs; nothing lands in this machine's engine. Its
    // seconds count as push seconds: one command does both.
    ctx.say(name, `build and push by the builder to ${ctx.refs.builder[0]}`);
    const solve = () =>
      ctx.signal.aborted
        ? Promise.resolve(null)
        : pushImage(ctx, log, redact, (signal) => builderPushAttempt(ctx, log, secrets, base, signal));
    // One solve builds and pushes, under a build slot and a push slot: measured against a
    // push=false solve plus a cached push=true solve (bench/results.md, "BuildKit as the builder").
    const pushed = await shared.buildSlot(solve);
    if (!pushed) return interrupted(null);
    push = pushed;
  } else {
    ctx.say(name, 'build started');
    const build = await shared.buildSlot(() =>
      ctx.signal.aborted ? Promise.resolve(null) : buildImage(ctx, log, secrets, base),
    );
    if (!build) return interrupted(null);
    row.buildSeconds = seconds(build.durationMs);
    row.cacheSteps = build.cache.steps;
    row.cachedSteps = build.cache.cached;
    if (!build.ok) return build.interrupted ? interrupted('build') : fail('build', build.error);
    ctx.say(name, `build done in ${row.buildSeconds} s`);
    push = await pushImage(ctx, log, redact);
  }
  Object.assign(row, bookedSeconds(push));
  row.attempts = push.attempts;
  if (!push.ok) {
    const phase = push.buildFailed ? 'build' : 'push';
    return push.interrupted ? interrupted(phase) : fail(phase, push.error);
  }
  ctx.say(name, `push done in ${row.pushSeconds} s (attempt ${push.attempts}), ${push.digest}`);

  // The primary tag, walked in full (every manifest and blob) against the digest the push reported.
  const verifying = ctx.phase('verify');
  const verification = await verifyService(ctx, push.digest, ctx.service.tags.slice(0, 1));
  row.verifySeconds = seconds(verification.durationMs);
  row.verify = verification.result.status;
  if (verification.result.status !== 'verified')
    return fail('verify', `${verification.host}: ${verification.result.detail}`);
  const digest = verification.result.digest;
  const foreign = checkIdentity(ctx, digest, verification.result.labels, { contentKey: content.key, built: true });
  if (foreign) return fail('verify', foreign);
  const verified = `verified ${digest} (${verification.result.manifests} manifest(s), ${verification.result.blobs} blob(s)) through ${verification.hosts.join(' and ')}`;
  log.line(verified);
  if (verification.note) log.line(verification.note);
  ctx.say(name, `${verified} in ${row.verifySeconds} s${verification.note ? ` (${verification.note})` : ''}`);
  // Only a verified image gets its other tags and its content tag (what the next run trusts).
  const untagged = await pointTags(ctx, digest, [...ctx.service.tags.slice(1), content.contentTag], log, redact);
  if (untagged) return fail(untagged.phase, untagged.reason);
  verifying.end();
  const nodeFailure = await asNodeFailure(ctx, shared, digest, log);
  if (nodeFailure) return fail('verify', nodeFailure);
  return end(
    { kind: 'pushed', digest },
    { digest, note: verification.note, tags: ctx.service.tags.join(' ') },
    pinFor(ctx, digest),
  );
}

/**
 * Point `tags` at `digest` through the registry API (a manifest PUT where one points elsewhere)
 * and check that each now resolves to it: null, or why not and in which phase.
 */
async function pointTags(
  ctx: ServiceContext,
  digest: string,
  tags: string[],
  log: ServiceLog,
  redact: Redactor,
): Promise<{ phase: Phase; reason: string } | null> {
  try {
    const moved = await retagToDigest(ctx, digest, tags);
    if (moved.length) log.line(`tagged ${moved.join(', ')} → ${digest} through the registry API`);
    const wrong = await verifyTagsResolve(ctx, digest, moved);
    return wrong ? { phase: 'verify', reason: wrong } : null;
  } catch (error) {
    return { phase: 'push', reason: `could not point the tags at ${digest}: ${redact((error as Error).message)}` };
  }
}

async function finish(
  log: ServiceLog,
  outcome: Outcome,
  facts: RowFacts,
  pin?: ServiceResult['pin'],
): Promise<ServiceResult> {
  const row = outcomeRow({ ...facts, finishedAt: new Date().toISOString() }, outcome);
  log.line(outcomeLine(outcome, row.service));
  await log.close();
  return pin ? { outcome, row, pin } : { outcome, row };
}

/** A `.partial` log left by a run that died is renamed to `<service>_<tag>.died.log`; returns the line that says so. */
async function keepLogOfDeadRun(ctx: ServiceContext): Promise<string> {
  const base = join(ctx.paths.logs, `${ctx.service.name}_${ctx.service.tags[0]!}`);
  try {
    await rename(`${base}.log.partial`, `${base}.died.log`);
  } catch {
    return '';
  }
  return `a previous run died while working on this service (no row, its image unverified): its log is kept as ${relative(ctx.manifest.root, `${base}.died.log`)}`;
}

/** With `asNode`: the image must pull by the name workloads use, as a node pulls it; '' or why not. */
async function asNodeFailure(
  ctx: ServiceContext,
  shared: ServiceRunShared,
  digest: string,
  log: ServiceLog,
): Promise<string> {
  if (!shared.asNode) return '';
  const pulling = ctx.phase('node-pull');
  const node = await pullAsNode(ctx, digest, shared.asNode);
  pulling.end(node.status === 'pulled' ? undefined : node.status);
  if (node.status === 'pulled') {
    log.line(`a node pulls ${node.reference} through ${shared.asNode.hostsDir}`);
    return '';
  }
  return `a node cannot pull ${node.reference}: ${node.detail}${node.hint ? ` — ${node.hint}` : ''}`;
}
