/**
 * A run over many services, in one process: every service of the run is checked against the
 * registry at once; an unchanged one (its content tag is there and verifies) is settled at once;
 * a changed one builds the moment the images it builds FROM are done, at most `jobs` builds at
 * a time, and pushes under the push limit. Results come out as each service ends, so the caller
 * (the Nx batch executor) can report each task the moment it is known. Every service gets
 * exactly one row, also when an image it builds FROM failed or the run is interrupted.
 */
import pLimit from 'p-limit';
import type { Manifest } from '@imagefleet/manifest';
import type { SummaryRow } from '@imagefleet/report';
import { createRunContext, serviceContext, type RunContext } from '../service/context.js';
import { preflightBuilder, preflightRegistry, type PreflightOutcome } from '../service/preflight.js';
import { pushService, buildServiceImage, type ServiceRunShared } from '../service/push-service.js';
import { createRunRecorder, emptyRow, notStartedRow } from '../rows.js';
import { newRunId } from '../run-id.js';
import type { DigestPin } from '../service/digests.js';
import type { RunRegistry } from '../service/registry.js';
import type { PullAsNodeOptions } from '../service/node-pull.js';
import type { Builder, Engine } from '@imagefleet/buildkit';

export interface RunOptions {
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** Builds at once. */
  jobs: number;
  /** A fresh one when not given. */
  runId?: string;
  /** Where a service's lines go. @default stdout, `[service] text` */
  say?: (service: string, text: string) => void;
  /** After each image verifies, pull it as a node does (containerd with the cluster's hosts.toml). */
  asNode?: PullAsNodeOptions;
  /** For tests: a fake registry and builder instead of the manifest's. */
  registry?: RunRegistry;
  builder?: Builder;
  engine?: Engine;
}

export interface ServiceEnd {
  service: string;
  /** pushed or unchanged */
  ok: boolean;
  /** ok; failed; skipped: an image it builds FROM failed; interrupted (while running or before it started) */
  outcome: 'ok' | 'failed' | 'skipped' | 'interrupted';
  row: SummaryRow;
}

/** Registry checks in flight at once: a changed service is told by one 404 and is best known early. */
const CHECKS_AT_ONCE = 32;

/** Push every named service (in dependency order); yields each service's end as it comes. */
export async function* pushServices(
  manifest: Manifest,
  names: readonly string[],
  opts: RunOptions,
): AsyncGenerator<ServiceEnd> {
  const run = startRun(manifest, opts);
  const shared = { ...sharedLimits(run, opts.jobs), asNode: opts.asNode };
  const recorder = createRunRecorder(manifest);
  const planned = new Set(names);
  const byName = new Map(manifest.services.map((s) => [s.name, s]));
  /** Each service's result as soon as it is known: what the images built FROM it wait for. */
  const decided = new Map<
    string,
    Promise<ServiceEnd & { digest: string; pin?: { service: string; pin: DigestPin } }>
  >();

  const decide = (
    name: string,
  ): Promise<ServiceEnd & { digest: string; pin?: { service: string; pin: DigestPin } }> => {
    let pending = decided.get(name);
    if (!pending) {
      pending = (async () => {
        const service = byName.get(name)!;
        const inRun = service.dependsOn.filter((d) => planned.has(d));
        const bases = await Promise.all(inRun.map(decide));
        const failed = bases.filter((b) => !b.ok).map((b) => b.service);
        const preflight = await shared.preflight;
        let result: { row: SummaryRow; pin?: { service: string; pin: DigestPin } };
        if (run.signal.aborted || bases.some((b) => b.outcome === 'interrupted')) {
          result = { row: notStartedRow(manifest, service, run.runId, { interrupted: true }) };
        } else if (failed.length && preflight.ok) {
          result = { row: notStartedRow(manifest, service, run.runId, { failedBases: failed }) };
        } else {
          // With a failed preflight every service says so itself (its row, its log).
          result = await pushService(
            serviceContext(run, service),
            shared,
            Object.fromEntries(bases.map((b) => [b.service, b.digest])),
          ).catch((error: unknown) => ({
            // Only what the flow cannot say itself (a log that cannot be written, say) ends here.
            row: {
              ...emptyRow(manifest, service, run.runId, ''),
              status: 'failed' as const,
              phase: 'build' as const,
              error: (error as Error).message,
              finishedAt: new Date().toISOString(),
            },
          }));
        }
        const ok = result.row.status === 'pushed' || result.row.status === 'unchanged';
        const outcome = ok
          ? 'ok'
          : result.row.status === 'interrupted'
            ? 'interrupted'
            : result.row.error.startsWith('not run:')
              ? 'skipped'
              : 'failed';
        return {
          service: name,
          ok,
          outcome,
          row: result.row,
          digest: result.row.digest,
          ...(result.pin ? { pin: result.pin } : {}),
        } as const;
      })();
      decided.set(name, pending);
    }
    return pending;
  };

  /** A service has ended once its row (and pin) is on disk; its dependents did not wait for that. */
  const end = async (name: string): Promise<ServiceEnd> => {
    const { digest: _digest, pin, ...result } = await decide(name);
    await recorder.record(result.row, pin);
    return result;
  };

  const ordered = manifest.services.filter((s) => planned.has(s.name)).map((s) => s.name);
  for (const name of names) if (!byName.has(name)) throw new Error(`${manifest.file}: no service "${name}"`);
  yield* inOrderOfEnding(ordered.map(end));
}

/** Build every named service's image locally (the `image` target): nothing pushed, no rows. */
export async function* buildServices(
  manifest: Manifest,
  names: readonly string[],
  opts: RunOptions,
): AsyncGenerator<{ service: string; ok: boolean; error: string }> {
  const run = startRun(manifest, opts);
  const shared = sharedLimits(run, opts.jobs);
  yield* inOrderOfEnding(
    names.map(async (name) => {
      const service = manifest.services.find((s) => s.name === name);
      if (!service) return { service: name, ok: false, error: `${manifest.file}: no service "${name}"` };
      return { service: name, ...(await buildServiceImage(serviceContext(run, service), shared)) };
    }),
  );
}

function startRun(manifest: Manifest, opts: RunOptions): RunContext {
  return createRunContext(manifest, {
    runId: opts.runId ?? newRunId(),
    env: opts.env,
    signal: opts.signal,
    say: opts.say,
    registry: opts.registry,
    builder: opts.builder,
    engine: opts.engine,
  });
}

function sharedLimits(run: RunContext, jobs: number): ServiceRunShared {
  const checks = pLimit(CHECKS_AT_ONCE);
  const builds = pLimit(Math.max(1, Math.floor(jobs)));
  return {
    preflight: Promise.all([preflightRegistry(run), preflightBuilder(run)]).then(
      (outcomes): PreflightOutcome => outcomes.find((o) => !o.ok) ?? outcomes[0]!,
      (error: unknown) => ({ ok: false, detail: (error as Error).message }),
    ),
    checkSlot: (fn) => checks(fn),
    buildSlot: (fn) => builds(fn),
  };
}

/** Yields each promise's value as it settles (none of them rejects). */
async function* inOrderOfEnding<T>(promises: Promise<T>[]): AsyncGenerator<T> {
  const pending = new Map(promises.map((p, i) => [i, p.then((value) => ({ i, value }))]));
  while (pending.size) {
    const { i, value } = await Promise.race(pending.values());
    pending.delete(i);
    yield value;
  }
}
