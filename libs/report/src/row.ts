/**
 * The row schema, checked once at the door: when a row is recorded and when a row file or a
 * CSV line is read back. Normalising here (one-line strings, 2-decimal seconds) is what makes
 * the CSV, JSON and Markdown agree.
 */
import { z } from 'zod';
import { OUTCOME_KINDS, PHASES, type OutcomeKind } from './outcome.js';
import type { SummaryRow } from './types.js';

/** Used as a file name under `.rows/`, so no separators and no leading dot. */
export const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time');
const seconds = z.number().nonnegative();

export const summaryRowSchema = z.object({
  runId: z.string().min(1),
  service: z.string().regex(SERVICE_NAME, 'letters, digits, ".", "_" and "-" only, not starting with "." or "-"'),
  image: z.string(),
  status: z.enum(OUTCOME_KINDS as [OutcomeKind, ...OutcomeKind[]]),
  phase: z.enum(['', ...PHASES] as [SummaryRow['phase'], ...SummaryRow['phase'][]]),
  attempts: z.number().int().nonnegative(),
  buildSeconds: seconds,
  pushSeconds: seconds,
  verifySeconds: seconds,
  digest: z.string(),
  verify: z.string(),
  log: z.string(),
  error: z.string(),
  startedAt: z.union([z.literal(''), isoTime]),
  finishedAt: z.union([z.literal(''), isoTime]),
  // Rows recorded before the column existed have none.
  note: z.string().default(''),
  tags: z.string().default(''),
});

/** A row that is not one: says where it came from and which fields are wrong. */
export class InvalidRowError extends Error {
  override readonly name = 'InvalidRowError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid summary row in ${source}: ${problems.join('; ')}`);
  }
}

/** Validate and normalise; `source` (a path, `CSV line 3`, …) goes into the error. */
export function parseRow(value: unknown, source: string): SummaryRow {
  const result = summaryRowSchema.safeParse(value);
  if (!result.success) {
    throw new InvalidRowError(
      source,
      result.error.issues.map((i) => `${i.path.join('.') || '(row)'}: ${i.message}`),
    );
  }
  return normaliseRow(result.data);
}

/** One line per string field, seconds rounded to 2 decimals. */
export function normaliseRow(row: SummaryRow): SummaryRow {
  return {
    ...row,
    runId: oneLine(row.runId),
    image: oneLine(row.image),
    digest: oneLine(row.digest),
    verify: oneLine(row.verify),
    log: oneLine(row.log),
    error: oneLine(row.error),
    note: oneLine(row.note),
    tags: oneLine(row.tags),
    buildSeconds: round2(row.buildSeconds),
    pushSeconds: round2(row.pushSeconds),
    verifySeconds: round2(row.verifySeconds),
  };
}

/** Collapse line breaks (and the blanks around them) to one space: one row = one line. */
export function oneLine(text: string): string {
  return text.replace(/[ \t]*[\r\n\u2028\u2029]+[ \t]*/g, ' ').trim();
}

/**
 * When a row happened, for ordering runs: its start, or its finish for a service that never
 * started (recorded as "not run"); `NaN` when it has neither.
 */
export function rowTime(row: SummaryRow): number {
  return Date.parse(row.startedAt || row.finishedAt);
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
