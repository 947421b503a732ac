/**
 * The shared summary, written by many processes at once (one Nx task per service). Each row
 * lives in its own file `.rows/<service>.json`; the summary files are regenerated from all of
 * them under one cross-process lock. Every file is replaced atomically, so under any
 * interleaving a row is either the old one or the new one, never lost or torn, and the last
 * process to regenerate has seen every row written before it.
 *
 * Rows of an older run can still be on disk (`.rows/` outlives a run). They are never mixed
 * into this run's summary: the summary files, and `readRows` by default, hold the rows of the
 * *current run* only, the run of the most recently started row (see {@link selectCurrentRun}).
 */
import { withFileLock } from '@imagefleet/process';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isTempFile, writeFileAtomic } from './atomic.js';
import { InvalidRowError, parseRow, rowTime } from './row.js';
import { renderSummary, sortRows, summaryFileNames, type SummaryFileNames } from './summary.js';
import type { SummaryOptions, SummaryRow } from './types.js';

export interface RecordResult {
  /**
   * `'superseded'` when `.rows/` already holds a row for this service from another run that
   * started later: the incoming row is a straggler of an older run and is not written.
   */
  outcome: 'recorded' | 'superseded';
  /** The run the summary files now describe. */
  runId: string;
  /** That run's rows, sorted by service: what the summary files hold. */
  rows: SummaryRow[];
  /** Absolute paths of the summary files just written. */
  files: SummaryFileNames;
}

export const ROWS_DIR = '.rows';

/** Record (or replace) this service's row, then rewrite the run's summary files. */
export async function recordRow(summaryDir: string, row: SummaryRow, opts: SummaryOptions): Promise<RecordResult> {
  const [result] = await recordRows(summaryDir, [row], opts);
  return result!;
}

/**
 * Record several rows under one lock and rewrite the summary files once (the run's fast path
 * records every unchanged service at once). One result per row, in order.
 */
export async function recordRows(
  summaryDir: string,
  rows: readonly SummaryRow[],
  opts: SummaryOptions,
): Promise<RecordResult[]> {
  const names = summaryFileNames(opts.tag);
  const clean = rows.map((row) => parseRow(row, `the row recorded for service ${JSON.stringify(row.service)}`));
  const rowsDir = join(summaryDir, ROWS_DIR);
  // Row write and summary rewrite share one critical section, so "is the row on disk newer
  // than mine?" and "replace it" cannot interleave with another recorder of the same service.
  return withFileLock(join(rowsDir, '.lock'), async () => {
    const outcomes: RecordResult['outcome'][] = [];
    for (const row of clean) {
      const rowPath = join(rowsDir, `${row.service}.json`);
      const existing = await readRowFile(rowPath).catch(() => undefined); // a broken file of ours is replaced
      const superseded = existing !== undefined && keepsExisting(existing, row);
      if (!superseded) await writeFileAtomic(rowPath, `${JSON.stringify(row, null, 2)}\n`);
      outcomes.push(superseded ? 'superseded' : 'recorded');
    }

    const current = selectCurrentRun(await readAllRows(summaryDir));
    const contents = await renderSummary(current.rows, {
      tag: opts.tag,
      runId: current.runId,
      generatedAt: new Date().toISOString(),
    });
    const files: SummaryFileNames = {
      csv: join(summaryDir, names.csv),
      json: join(summaryDir, names.json),
      md: join(summaryDir, names.md),
    };
    await Promise.all([
      writeFileAtomic(files.csv, contents.csv),
      writeFileAtomic(files.json, contents.json),
      writeFileAtomic(files.md, contents.md),
    ]);
    return outcomes.map((outcome) => ({ outcome, runId: current.runId, rows: current.rows, files }));
  });
}

export interface ReadRowsOptions {
  /** Rows of this run instead of the current one. */
  runId?: string;
  /** Rows of every run still on disk (at most one per service). @default false */
  allRuns?: boolean;
}

/**
 * The rows under `summaryDir/.rows/`, sorted by service: by default those of the current run
 * (what the summary files show), so a reader cannot take an older run's row for this one's.
 * Every row file is read and checked: one that does not parse throws {@link InvalidRowError}
 * naming its path.
 */
export async function readRows(summaryDir: string, opts: ReadRowsOptions = {}): Promise<SummaryRow[]> {
  const rows = await readAllRows(summaryDir);
  if (opts.allRuns) return rows;
  if (opts.runId !== undefined) return rows.filter((r) => r.runId === opts.runId);
  return selectCurrentRun(rows).rows;
}

async function readAllRows(summaryDir: string): Promise<SummaryRow[]> {
  const rowsDir = join(summaryDir, ROWS_DIR);
  let names: string[];
  try {
    names = await readdir(rowsDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files = names.filter((n) => n.endsWith('.json') && !n.startsWith('.') && !isTempFile(n));
  const rows = await Promise.all(files.map((n) => readRowFile(join(rowsDir, n))));
  return sortRows(rows);
}

/**
 * The current run is the run of the most recently started row (see `rowTime`); a summary shows
 * its rows, and the rows of runs that overlapped it (ended after it began): two invocations at
 * once share the services between them, and the summary shows the row of the run that had each.
 * A row of a run that ended before this one began is never shown as this run's.
 */
export function selectCurrentRun(rows: readonly SummaryRow[]): { runId: string; rows: SummaryRow[] } {
  let latest: SummaryRow | undefined;
  // A run that only found its services busy is not the run the summary describes.
  const candidates = rows.some((r) => r.status !== 'busy') ? rows.filter((r) => r.status !== 'busy') : rows;
  for (const r of candidates) {
    if (!latest || startedMs(r) > startedMs(latest) || (startedMs(r) === startedMs(latest) && r.runId > latest.runId)) {
      latest = r;
    }
  }
  if (!latest) return { runId: '', rows: [] };
  const runId = latest.runId;
  const began = Math.min(...rows.filter((r) => r.runId === runId).map(startedMs));
  return {
    runId,
    rows: sortRows(rows.filter((r) => r.runId === runId || (r.status !== 'busy' && endedMs(r) >= began))),
  };
}

async function readRowFile(path: string): Promise<SummaryRow> {
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidRowError(path, [
      `not JSON (${(error as Error).message}); delete the file or record the row again`,
    ]);
  }
  const row = parseRow(value, path);
  if (basename(path) !== `${row.service}.json`) {
    throw new InvalidRowError(path, [`service ${JSON.stringify(row.service)} does not match the file name`]);
  }
  return row;
}

/** Whether the row on disk stays, rather than the incoming one of the same service. */
function keepsExisting(existing: SummaryRow, incoming: SummaryRow): boolean {
  if (existing.runId === incoming.runId) {
    // "Never started" rows (written for services a run skipped or an interrupt pre-empted) never
    // replace a row the service's own task wrote in the same run, whichever lands first.
    return incoming.startedAt === '' && existing.startedAt !== '';
  }
  // A busy row says another run had the service: that run's row is the one that says what the
  // registry holds, whichever of the two lands first.
  if (incoming.status === 'busy') return true;
  if (existing.status === 'busy') return false;
  // A run that never started the service (a base of it did not succeed) and one that ran it: the
  // row that ended later says what is true now (the runs may have overlapped).
  if (existing.startedAt === '' || incoming.startedAt === '') return endedMs(existing) > endedMs(incoming);
  // A straggler of an older run does not overwrite a newer run's row.
  return startedMs(existing) > startedMs(incoming);
}

function endedMs(row: SummaryRow): number {
  const t = Date.parse(row.finishedAt);
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}

/** `rowTime`, with a row that has no time at all ordered before every other. */
function startedMs(row: SummaryRow): number {
  const t = rowTime(row);
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}
