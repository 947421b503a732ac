/**
 * The summary for a terminal: a plain aligned table, then each error and note in full under it
 * (one line per service: a reason cut to fit a column is the part a person needed), then the
 * totals line. No colours or emoji (CI logs and `less` show it as is).
 */
import { OUTCOME_KINDS } from './outcome.js';
import type { SummaryRow } from './types.js';

interface TableColumn {
  header: string;
  align: 'left' | 'right';
  cell: (row: SummaryRow) => string;
}

const COLUMNS: readonly TableColumn[] = [
  { header: 'SERVICE', align: 'left', cell: (r) => r.service },
  { header: 'STATUS', align: 'left', cell: (r) => r.status },
  { header: 'PHASE', align: 'left', cell: (r) => r.phase },
  { header: 'ATTEMPTS', align: 'right', cell: (r) => String(r.attempts) },
  { header: 'BUILD S', align: 'right', cell: (r) => r.buildSeconds.toFixed(2) },
  { header: 'PUSH S', align: 'right', cell: (r) => r.pushSeconds.toFixed(2) },
  { header: 'VERIFY', align: 'left', cell: (r) => r.verify },
  { header: 'DIGEST', align: 'left', cell: (r) => shortDigest(r.digest) },
];

/** Rows in the order given, their errors and notes in full, then the totals line. */
export function renderTable(rows: readonly SummaryRow[]): string {
  const grid = [COLUMNS.map((c) => c.header), ...rows.map((r) => COLUMNS.map((c) => c.cell(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...grid.map((line) => line[i]!.length)));
  const lines = grid.map((line) =>
    line
      .map((text, i) => (COLUMNS[i]!.align === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
  const said = rows.flatMap((r) => [
    ...(r.error ? [`${r.service}: ${r.error}`] : []),
    ...(r.note ? [`${r.service}: note: ${r.note}`] : []),
  ]);
  return [...lines, ...(said.length ? ['', ...said] : []), '', formatTotals(rows)].join('\n') + '\n';
}

/** `7 services: 6 pushed, 1 failed` — outcomes in the table's order, zero counts left out. */
export function formatTotals(rows: readonly SummaryRow[]): string {
  const head = `${rows.length} ${rows.length === 1 ? 'service' : 'services'}`;
  const counts = OUTCOME_KINDS.map((s) => [s, rows.filter((r) => r.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  return counts.length > 0 ? `${head}: ${counts.join(', ')}` : head;
}

/** `sha256:0123456789abcdef…` → `0123456789ab` (what `docker images` shows). */
export function shortDigest(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);
}
