/** A run file checked at the door: what `summary --against FILE` or the history reads back. */
import { z } from 'zod';
import { parseRow } from '@imagefleet/report';
import { PHASE_NAMES, type PhaseName, type RunRecord } from './types.js';

/** Run ids become file names: the pipeline's `<UTC stamp>-<pid>[-n]`, or anything as tame. */
export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const span = z.object({
  phase: z.enum(PHASE_NAMES as [PhaseName, ...PhaseName[]]),
  start: z.number().nonnegative(),
  end: z.number().nonnegative(),
  attempt: z.number().int().positive().optional(),
  note: z.string().optional(),
});

const record = z.object({
  runId: z.string().regex(RUN_ID, 'letters, digits, ".", "_" and "-" only'),
  tag: z.string().min(1),
  startedAt: z.string(),
  finishedAt: z.string(),
  wallSeconds: z.number().nonnegative(),
  rows: z.array(z.unknown()),
  services: z.record(z.string(), z.object({ dependsOn: z.array(z.string()), phases: z.array(span) })),
});

/** Parse a run file's JSON text; throws one line naming `source` and the field. */
export function parseRunRecord(text: string, source: string): RunRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not JSON (${(error as Error).message})`);
  }
  const result = record.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`${source}: ${issue.path.join('.') || '(run)'}: ${issue.message}`);
  }
  const rows = result.data.rows.map((row, i) => parseRow(row, `${source} rows.${i}`));
  return { ...result.data, rows } as RunRecord;
}

/** The run a bare set of rows describes (a summary CSV or JSON): no phases, wall time from the rows' times. */
export function recordFromRows(rows: RunRecord['rows'], tag = 'dev'): RunRecord {
  const starts = rows.map((r) => Date.parse(r.startedAt)).filter(Number.isFinite);
  const ends = rows.map((r) => Date.parse(r.finishedAt)).filter(Number.isFinite);
  const start = starts.length ? Math.min(...starts) : Number.NaN;
  const end = ends.length ? Math.max(...ends) : Number.NaN;
  const wall = Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, (end - start) / 1000) : 0;
  return {
    runId: rows[0]?.runId ?? '',
    tag,
    startedAt: Number.isFinite(start) ? new Date(start).toISOString() : '',
    finishedAt: Number.isFinite(end) ? new Date(end).toISOString() : '',
    wallSeconds: Math.round(wall * 100) / 100,
    rows,
    services: {},
  };
}
