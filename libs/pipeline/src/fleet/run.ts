/**
 * A run over many services, in one process: every service of the run is checked against the
 * registry at once; an unchanged one (its content tag is there and verifies) is settled at once;
 * a changed one builds the moment the images it builds FROM are done, at most `jobs` builds at
 * a time, and pushes under the push limit. Results come out as each service ends, so the caller
 * (the Nx batch executor) can report each task the moment it is known. Every service gets
 * exactly one outcome, one line saying it and one row, also when an image it builds FROM did not
 * succeed or the run is interrupted; a row that cannot be written (a full disk) is said so in
 * its end, and the run goes on.
 */
import pLimit from 'p-limit';
import type { Manifest } from '@imagefleet/manifest';
import {
  OUTCOME_TABLE,
  outcomeLine,
  type BaseNotDone,
  type Outcome,
  type OutcomeKind,
  type SummaryRow,
} from '@imagefleet/report';
import { createRunContext, findService, serviceContext, type RunContext } from '../service/context.js';
import { preflightBuilder, preflightRegistry, type PreflightOutcome } from '../service/preflight.js';
import { pushService, type ServiceResult, type ServiceRunShared } from '../service/push-service.js';
import { buildServiceImage } from '../service/build-image.js';
import { createRunRecorder, notStartedRow, type RunRecorder } from '../rows.js';
import { newRunId } from '../run-id.js';
import { readSource } from '../source.js';
import { withPhases } from './phases.js';
import { runRecord, type RunRecord } from './run-record.js';
import type { RunRegistry } from '../service/registry.js';
import type { PullAsNodeOptions } from '../service/node-pull.js';
import type { Builder, Engine } from '@imagefleet/buildkit';
import type { Clock } from '@imagefleet/process';

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
  /** Once every service has ended: the run's rows and phase spans (the history and timeline are written from it). */
  onRunEnd?: (run: RunRecord) => Promise<void>;
  /** For tests: a fake registry and builder instead of the manifest's. */
  registry?: RunRegistry;
  builder?: Builder;
  engine?: Engine;
  /** For tests: a fake clock. @default systemClock */
  clock?: Clock;
  /** For tests: where rows and pins go. @default the workspace's summary and digest pins */
  recorder?: RunRecorder;
}

export interface ServiceEnd extends ServiceResult {
  service: string;
  /** Why its row (and pin) could not be written; `''` once they are on disk. */
  unrecorded: string;
}

/** Registry checks in flight at once: a changed service is told by one 404 and is best known early. */
const CHECKS_AT_ONCE = 32;

/** Push every named service (in dependency order); yields each service's end as it comes. */
export async function* pushServices(
  manifest: Manifest,
  names: readonly string[],
  opts: RunOptions,
): AsyncGenerator<ServiceEnd> {
  const run = await startRun(manifest, opts);
  const shared = { ...sharedLimits(run, opts.jobs), asNode: opts.asNode };
  const recorder = opts.recorder ?? createRunRecorder(manifest);
  const planned = new Set(names);
  const byName = new Map(manifest.services.map((s) => [s.name, s]));
  /** Each service's result as soon as it is known: what the images built FROM it wait for. */
  const decided = new Map<string, Promise<ServiceResult & { service: string }>>();

  const decide = (name: string): Promise<ServiceResult & { service: string }> => {
    let pending = decided.get(name);
    if (!pending) {
      pending = (async () => {
        const service = byName.get(name)!;
        const bases = await Promise.all(service.dependsOn.filter((d) => planned.has(d)).map(decide));
        const notDone = bases.flatMap((b) =>
          isBaseNotDone(b.outcome.kind) ? [{ service: b.service, kind: b.outcome.kind }] : [],
        );
        const preflight = await shared.preflight;
        const notStarted = (outcome: Outcome): ServiceResult => ({
          outcome,
          row: notStartedRow(manifest, service, run.runId, outcome),
        });
        let result: ServiceResult;
        if (run.signal.aborted || bases.some((b) => b.outcome.kind === 'interrupted')) {
          result = notStarted({ kind: 'interrupted', phase: null });
        } else if (notDone.length && preflight.ok) {
          result = notStarted({ kind: 'skipped', bases: notDone });
        } else {
          // With a failed preflight every service says so itself (its row, its log).
          result = await pushService(
            serviceContext(run, service),
            withPhases(shared, run.phases, name),
            Object.fromEntries(bases.flatMap(digestOf)),
          )
            // Only what the flow cannot say itself (a log that cannot be written, say) ends here.
            .catch((error: unknown) =>
              notStarted({
                kind: 'failed',
                phase: isFileError(error) ? 'artifacts' : 'build',
                reason: (error as Error).message,
              }),
            );
        }
        run.phases.settle(name);
        run.say(name, outcomeLine(result.outcome, name));
        return { service: name, ...result };
      })();
      decided.set(name, pending);
    }
    return pending;
  };

  /** A service has ended once its row (and pin) is on disk, or that failed; its dependents did not wait for that. */
  const end = async (name: string): Promise<ServiceEnd> => {
    const result = await decide(name);
    ended.push(result.row);
    try {
      await recorder.record(result.row, result.pin);
      return { ...result, unrecorded: '' };
    } catch (error) {
      const unrecorded = (error as Error).message;
      run.say(name, `its row could not be written: ${unrecorded}`);
      return { ...result, unrecorded };
    }
  };

  const ordered = manifest.services.filter((s) => planned.has(s.name)).map((s) => s.name);
  for (const name of names) if (!byName.has(name)) throw new Error(`${manifest.file}: no service "${name}"`);
  const ended: SummaryRow[] = [];
  yield* inOrderOfEnding(ordered.map(end));
  await opts.onRunEnd?.(runRecord(run, ended));
}

/** The digest a dependent builds FROM: a base this run pushed or found unchanged. */
function digestOf(base: ServiceResult & { service: string }): [string, string][] {
  const o = base.outcome;
  return o.kind === 'pushed' || o.kind === 'unchanged' ? [[base.service, o.digest]] : [];
}

function isBaseNotDone(kind: OutcomeKind): kind is BaseNotDone['kind'] {
  return !OUTCOME_TABLE[kind].ok && kind !== 'interrupted';
}

/** An error of the file system (it names a path): imagefleet's own files could not be written. */
function isFileError(error: unknown): boolean {
  return (
    typeof (error as NodeJS.ErrnoException)?.code === 'string' &&
    typeof (error as NodeJS.ErrnoException).path === 'string'
  );
}

/** Build every named service's image locally (the `image` target): nothing pushed, no rows. */
export async function* buildServices(
  manifest: Manifest,
  names: readonly string[],
  opts: RunOptions,
): AsyncGenerator<{ service: string; outcome: Outcome }> {
  const services = names.map((name) => findService(manifest, name));
  const run = await startRun(manifest, opts);
  const shared = sharedLimits(run, opts.jobs);
  yield* inOrderOfEnding(
    services.map(async (service) => {
      const name = service.name;
      const outcome = await buildServiceImage(serviceContext(run, service), shared);
      run.say(name, outcomeLine(outcome, name));
      return { service: name, outcome };
    }),
  );
}

/** The run's context, with the commit it builds read once (tags and labels render from it). */
async function startRun(manifest: Manifest, opts: RunOptions): Promise<RunContext> {
  return createRunContext(manifest, {
    source: await readSource(manifest.root),
    runId: opts.runId ?? newRunId(),
    env: opts.env,
    signal: opts.signal,
    say: opts.say,
    registry: opts.registry,
    builder: opts.builder,
    engine: opts.engine,
    clock: opts.clock,
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
