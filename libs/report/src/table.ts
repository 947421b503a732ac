/**
 * The summary for a terminal: a plain aligned table and a totals line, no colours or emoji
 * (CI logs and `less` show it as is).
 */
import { ROW_STATUSES, type SummaryRow } from './types.js';

/** Errors longer than this are cut, with `…`; the full text is in the CSV and the log. */
export const TABLE_ERROR_WIDTH = 60;

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
  { header: 'ERROR', align: 'left', cell: (r) => truncate(r.error, TABLE_ERROR_WIDTH) },
];

/** Shown only when some row has a note, so the usual table stays as narrow as it was. */
const NOTE: TableColumn = { header: 'NOTE', align: 'left', cell: (r) => truncate(r.note, TABLE_ERROR_WIDTH) };

/** Rows in the order given, then the totals line. */
export function renderTable(rows: readonly SummaryRow[]): string {
  const columns = rows.some((r) => r.note) ? [...COLUMNS, NOTE] : COLUMNS;
  const grid = [columns.map((c) => c.header), ...rows.map((r) => columns.map((c) => c.cell(r)))];
  const widths = columns.map((_, i) => Math.max(...grid.map((line) => line[i]!.length)));
  const lines = grid.map((line) =>
    line
      .map((text, i) => (columns[i]!.align === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
  return [...lines, '', formatTotals(rows)].join('\n') + '\n';
}

/** `7 services: 6 pushed, 1 failed` — statuses in pipeline order, zero counts left out. */
export function formatTotals(rows: readonly SummaryRow[]): string {
  const head = `${rows.length} ${rows.length === 1 ? 'service' : 'services'}`;
  const counts = ROW_STATUSES.map((s) => [s, rows.filter((r) => r.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  return counts.length > 0 ? `${head}: ${counts.join(', ')}` : head;
}

/** `sha256:0123456789abcdef…` → `0123456789ab` (what `docker images` shows). */
export function shortDigest(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
