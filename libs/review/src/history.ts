/**
 * The history on disk: `runs/<run-id>.json` (rows and phase spans) and `runs/<run-id>.csv` (the
 * rows, the summary CSV's format) for the newest `summary.keepRuns` runs. Every file is written
 * atomically; a run's files are written before older runs are dropped.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isTempFile, parseCsv, renderCsv, sortRows, writeFileAtomic, type SummaryJson } from '@imagefleet/report';
import { parseRunRecord, recordFromRows, RUN_ID } from './run-record.js';
import { byStart, runsToDrop } from './retention.js';
import type { RunRecord } from './types.js';

export const RUNS_DIR = 'runs';

export interface RecordRunResult {
  /** The kept runs, oldest first, this one included. */
  runs: RunRecord[];
  /** Run ids whose files were deleted. */
  dropped: string[];
}

/** Write this run's files, then drop the oldest beyond `keepRuns`. */
export async function recordRun(logsDir: string, run: RunRecord, keepRuns: number): Promise<RecordRunResult> {
  if (!RUN_ID.test(run.runId)) throw new Error(`run id ${JSON.stringify(run.runId)} cannot name a file`);
  const dir = join(logsDir, RUNS_DIR);
  const rows = sortRows(run.rows);
  // Each write waits on the disk (fsync): side by side, not one after the other.
  await Promise.all([
    writeFileAtomic(join(dir, `${run.runId}.csv`), await renderCsv(rows)),
    writeFileAtomic(join(dir, `${run.runId}.json`), `${JSON.stringify({ ...run, rows }, null, 2)}\n`),
  ]);
  const all = await listRuns(logsDir);
  const dropped = runsToDrop(all, keepRuns);
  await Promise.all(
    dropped.flatMap((id) => ['json', 'csv'].map((ext) => rm(join(dir, `${id}.${ext}`), { force: true }))),
  );
  return { runs: all.filter((r) => !dropped.includes(r.runId)), dropped };
}

/** Every kept run, oldest first; a run file that does not parse throws, naming it. */
export async function listRuns(logsDir: string): Promise<RunRecord[]> {
  const dir = join(logsDir, RUNS_DIR);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files = names.filter((n) => n.endsWith('.json') && !isTempFile(n));
  const runs = await Promise.all(
    files.map(async (n) => {
      // Another run ending at the same time may just have dropped it.
      const text = await readFile(join(dir, n), 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        throw error;
      });
      return text === null ? [] : [parseRunRecord(text, join(dir, n))];
    }),
  );
  return byStart(runs.flat());
}

/**
 * The run `which` names: `previous` (the run before the newest), `latest`, a run id of the
 * history, or a file: a run file, a summary JSON, or a summary / history CSV.
 */
export async function resolveRun(logsDir: string, which: string): Promise<RunRecord> {
  if (which === 'previous' || which === 'latest') {
    const runs = await listRuns(logsDir);
    const run = runs.at(which === 'latest' ? -1 : -2);
    if (!run) {
      throw new Error(
        `no ${which} run in ${join(logsDir, RUNS_DIR)}: ${runs.length} run(s) kept (a run writes its history when it ends)`,
      );
    }
    return run;
  }
  if (RUN_ID.test(which) && !/\.(json|csv)$/.test(which)) {
    const file = join(logsDir, RUNS_DIR, `${which}.json`);
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text === null)
      throw new Error(`no run ${which} in ${join(logsDir, RUNS_DIR)} (imagefleet summary --runs lists them)`);
    return parseRunRecord(text, file);
  }
  return readRunFile(which);
}

async function readRunFile(path: string): Promise<RunRecord> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`${path}: cannot read it (${error.code ?? error.message})`);
  });
  if (path.endsWith('.csv')) return recordFromRows(await parseCsv(text, path));
  const value = JSON.parse(text) as Partial<RunRecord & SummaryJson>;
  if (value.services) return parseRunRecord(text, path);
  if (Array.isArray(value.rows)) {
    // A summary JSON: its rows are checked the same way, through the CSV's schema.
    return recordFromRows(parseRunRecord(JSON.stringify({ ...emptyRecord(), rows: value.rows }), path).rows, value.tag);
  }
  throw new Error(`${path}: neither a run file nor a summary JSON (no "rows")`);
}

function emptyRecord(): Omit<RunRecord, 'rows'> {
  return { runId: 'file', tag: 'dev', startedAt: '', finishedAt: '', wallSeconds: 0, services: {} };
}
