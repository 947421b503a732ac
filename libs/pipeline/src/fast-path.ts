/**
 * The run's fast path: before starting any Nx task, find the services whose content tag is
 * already in the registry and verifies — in one process, many at a time. Those get their rows
 * here; only the rest go to Nx. A service counts as unchanged only when every image it builds
 * FROM is unchanged too (a rebuilt base changes its key).
 */
import pLimit from 'p-limit';
import type { Manifest, ServiceSpec } from '@imagefleet/manifest';
import { loadServiceSecrets, serviceContext } from './context.js';
import { resolveBaseImages, type ResolvedBase } from './build.js';
import { checkContent, contentRef, retagToDigest, verifyTagsResolve, type ContentCheck } from './unchanged.js';
import { openServiceLog, recordRows, type SummaryRow } from '@imagefleet/report';
import { pinFor, recordDigestPins } from './digests.js';
import { emptyRow } from './rows.js';
import { say, seconds } from './console.js';
import { baseImageArg } from './registry.js';
import { preflightRegistry } from './preflight.js';
import { workspacePaths } from './paths.js';

export interface RunPlan {
  /** service → verified content digest: nothing to do but tag and verify. */
  unchanged: Map<string, ContentCheck>;
  /** What Nx must run, in manifest order. */
  changed: string[];
}

export async function planRun(
  manifest: Manifest,
  names: string[],
  opts: {
    env: NodeJS.ProcessEnv;
    runId: string;
    /** Called as soon as a service is known to have work to do while every image it builds FROM is unchanged. */
    onReady?: (service: string) => void;
  },
): Promise<RunPlan> {
  const planned = new Set(names);
  const unchanged = new Map<string, ContentCheck>();
  const decided = new Map<string, Promise<ContentCheck | null>>();
  if (!(await preflightRegistry(manifest, opts.env)).ok) {
    return { unchanged, changed: manifest.services.filter((s) => planned.has(s.name)).map((s) => s.name) };
  }
  // Many at once: a changed service is told by one 404, and is best known early (onReady);
  // the blob requests of the verifications are bounded by the registry client itself.
  const limit = pLimit(32);
  const byName = new Map(manifest.services.map((s) => [s.name, s]));

  const decide = (service: ServiceSpec): Promise<ContentCheck | null> => {
    let pending = decided.get(service.name);
    if (!pending) {
      pending = (async () => {
        const ctx = serviceContext(manifest, service, { env: opts.env, runId: opts.runId });
        try {
          loadServiceSecrets(ctx); // a missing secret must fail in the task, with its row
        } catch {
          return null;
        }
        let base: ResolvedBase = { args: {}, digests: {} };
        for (const dep of service.dependsOn) {
          const depSpec = byName.get(dep)!;
          if (planned.has(dep)) {
            const depCheck = await decide(depSpec);
            if (!depCheck) return null;
            base.digests[dep] = depCheck.digest;
            base.args[baseImageArg(dep)] = `${manifest.registry.pushHost}/${manifest.registry.namespace}/${dep}@${depCheck.digest}`;
          }
        }
        const outside = service.dependsOn.filter((d) => !planned.has(d));
        if (outside.length) {
          const resolved = await resolveBaseImages({ ...ctx, service: { ...service, dependsOn: outside } });
          base = { args: { ...base.args, ...resolved.args }, digests: { ...base.digests, ...resolved.digests } };
        }
        const check = await limit(() => checkContent(ctx, base));
        if (!check.digest) opts.onReady?.(service.name);
        return check.digest ? check : null;
      })().catch(() => null);
      decided.set(service.name, pending);
    }
    return pending;
  };

  const services = manifest.services.filter((s) => planned.has(s.name));
  const results = await Promise.all(services.map(decide));
  const changed: string[] = [];
  services.forEach((s, i) => {
    const r = results[i];
    if (r) unchanged.set(s.name, r);
    else changed.push(s.name);
  });
  return { unchanged, changed };
}

/**
 * Finish every unchanged service of a plan in this process: point its tags at the verified
 * content digest, check each tag now resolves to it, write its log, then all rows and digest
 * pins at once. The content tag's image was walked (every manifest and blob) by `planRun`
 * moments before, so a tag that resolves to that digest is a verified image.
 */
export async function recordUnchangedServices(
  manifest: Manifest,
  plan: RunPlan,
  opts: { env: NodeJS.ProcessEnv; runId: string; /** one terminal line per service @default true */ announce?: boolean },
): Promise<SummaryRow[]> {
  const announce = opts.announce === false ? () => {} : say;
  const limit = pLimit(8);
  const done = await Promise.all(
    [...plan.unchanged].map(([name, check]) =>
      limit(async () => {
        const started = Date.now();
        const ctx = serviceContext(manifest, manifest.services.find((s) => s.name === name)!, { env: opts.env, runId: opts.runId });
        const row: SummaryRow = { ...emptyRow(manifest, ctx.service, opts.runId, new Date().toISOString()), attempts: 0 };
        const log = openServiceLog({ dir: ctx.paths.logs, service: name, tag: ctx.service.tags[0]!, redact: (s) => s, append: false });
        log.line(`run ${opts.runId}: ${ctx.refs.reference[0]}`);
        log.line(`unchanged: ${contentRef(ctx, check.contentTag)} is in the registry and verified (${check.digest}); nothing to build or push`);
        let final: SummaryRow;
        try {
          const moved = await retagToDigest(ctx, check.digest);
          if (moved.length) log.line(`tagged ${moved.join(', ')} → ${check.digest} through the registry API`);
          // Tags retag found in place were just HEADed; only the moved ones need a second look.
          const wrong = await verifyTagsResolve(ctx, check.digest, moved);
          if (wrong) throw new Error(wrong);
          final = { ...row, status: 'unchanged', verify: 'verified', digest: check.digest, verifySeconds: seconds(Date.now() - started) };
          announce(name, `unchanged, verified ${check.digest}`);
        } catch (error) {
          final = { ...row, status: 'failed', phase: 'push', error: (error as Error).message.replace(/\s+/g, ' ') };
          announce(name, `failed: ${final.error}`);
        }
        final.finishedAt = new Date().toISOString();
        log.line(`${final.status}${final.error ? `: ${final.error}` : ''}`);
        await log.close();
        return { row: final, pin: final.status === 'unchanged' ? pinFor(ctx, check.digest) : null };
      }),
    ),
  );
  const rows = done.map((d) => d.row);
  if (rows.length) {
    await recordRows(workspacePaths(manifest).logs, rows, { tag: manifest.services[0]!.tags[0]! });
    await recordDigestPins(workspacePaths(manifest).digests, done.flatMap((d) => (d.pin ? [d.pin] : [])));
  }
  return rows;
}
