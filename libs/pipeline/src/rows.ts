/**
 * The one module that writes a run's records: every service of the run gets exactly one summary
 * row, whatever its outcome (pushed, unchanged, failed, skipped, busy, interrupted), and every
 * verified digest its pin. Rows and pins of services that finish while a write is in flight are
 * written together by the next one, so a fleet of forty finishing at once costs a few summary
 * rewrites, not forty; each row is on disk before its service is reported done.
 */
import { join, relative } from 'node:path';
import type { Manifest, ServiceSpec } from '@imagefleet/manifest';
import { outcomeRow, recordRows, type Outcome, type RowFacts, type SummaryRow } from '@imagefleet/report';
import { workspacePaths } from './paths.js';
import { recordDigestPins, type DigestPin } from './service/digests.js';

/** What a service's row says before anything happened: the facts every row starts from. */
export function rowFacts(manifest: Manifest, service: ServiceSpec, runId: string, startedAt: string): RowFacts {
  const tag = service.tags[0]!;
  return {
    runId,
    service: service.name,
    image: `${manifest.registry.host}/${manifest.registry.namespace}/${service.name}:${tag}`,
    attempts: 0,
    buildSeconds: 0,
    pushSeconds: 0,
    verifySeconds: 0,
    digest: '',
    verify: '',
    log: relative(manifest.root, join(workspacePaths(manifest).logs, `${service.name}_${tag}.log`)),
    startedAt,
    finishedAt: '',
    note: '',
    tags: '',
  };
}

/** The row of a service this run never started (a base did not succeed, an interrupt, another run has it). */
export function notStartedRow(manifest: Manifest, service: ServiceSpec, runId: string, outcome: Outcome): SummaryRow {
  return outcomeRow({ ...rowFacts(manifest, service, runId, ''), finishedAt: new Date().toISOString() }, outcome);
}

export interface RunRecorder {
  /** Record a finished row (and the service's digest pin, when verified); resolves once both are on disk. */
  record(row: SummaryRow, pin?: { service: string; pin: DigestPin }): Promise<void>;
}

export function createRunRecorder(manifest: Manifest): RunRecorder {
  const paths = workspacePaths(manifest);
  const tag = manifest.services[0]?.tags[0] ?? 'dev';
  let queued: { row: SummaryRow; pin?: { service: string; pin: DigestPin } }[] = [];
  let waiting: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  let writing: Promise<void> | null = null;

  const drain = async (): Promise<void> => {
    while (queued.length) {
      const batch = queued;
      const settle = waiting;
      queued = [];
      waiting = [];
      try {
        const oneLine = batch.map(({ row }) => ({ ...row, error: row.error.replace(/\s+/g, ' ').trim() }));
        await naming(paths.logs, recordRows(paths.logs, oneLine, { tag }));
        await naming(
          paths.digests,
          recordDigestPins(
            paths.digests,
            batch.flatMap((b) => (b.pin ? [b.pin] : [])),
          ),
        );
        for (const w of settle) w.resolve();
      } catch (error) {
        for (const w of settle) w.reject(error);
      }
    }
    writing = null;
  };

  return {
    record(row, pin) {
      return new Promise<void>((resolve, reject) => {
        queued.push(pin ? { row, pin } : { row });
        waiting.push({ resolve, reject });
        writing ??= drain();
      });
    },
  };
}

/** A failed write says where it was writing (`ENOSPC: no space left on device, write` names no file). */
async function naming(path: string, writing: Promise<unknown>): Promise<void> {
  try {
    await writing;
  } catch (error) {
    const message = (error as Error).message;
    throw message.includes(path) ? error : new Error(`cannot write ${path}: ${message}`, { cause: error });
  }
}
