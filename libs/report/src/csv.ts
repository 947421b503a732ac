/**
 * The summary as CSV, through fast-csv: quoting of commas, quotes and line breaks is its job.
 * Line breaks never reach it anyway (rows are normalised to one line each), so a `grep` or a
 * line-based reader sees one row per line.
 */
import { parseString, writeToString } from 'fast-csv';
import { normaliseRow, parseRow } from './row.js';
import type { SummaryRow } from './types.js';

type Column = readonly [header: string, key: keyof SummaryRow, kind: 'text' | 'int' | 'seconds'];

/** Column order and headers of `build-summary-<tag>.csv`. */
export const CSV_COLUMNS: readonly Column[] = [
  ['run_id', 'runId', 'text'],
  ['service', 'service', 'text'],
  ['image', 'image', 'text'],
  ['status', 'status', 'text'],
  ['phase', 'phase', 'text'],
  ['attempts', 'attempts', 'int'],
  ['build_seconds', 'buildSeconds', 'seconds'],
  ['push_seconds', 'pushSeconds', 'seconds'],
  ['verify_seconds', 'verifySeconds', 'seconds'],
  ['digest', 'digest', 'text'],
  ['verify', 'verify', 'text'],
  ['log', 'log', 'text'],
  ['error', 'error', 'text'],
  ['started_at', 'startedAt', 'text'],
  ['finished_at', 'finishedAt', 'text'],
  ['note', 'note', 'text'],
  ['tags', 'tags', 'text'],
];

export const CSV_HEADERS: readonly string[] = CSV_COLUMNS.map(([header]) => header);

/** Header line plus one line per row, in the order given; ends with a newline. */
export function renderCsv(rows: readonly SummaryRow[]): Promise<string> {
  const lines = rows.map((row) => {
    const r = normaliseRow(row);
    return CSV_COLUMNS.map(([, key, kind]) => (kind === 'seconds' ? (r[key] as number).toFixed(2) : String(r[key])));
  });
  return writeToString(lines, { headers: [...CSV_HEADERS], alwaysWriteHeaders: true, includeEndRowDelimiter: true });
}

/** Parse what {@link renderCsv} wrote; a wrong header or an invalid row throws, naming the line. */
export async function parseCsv(text: string, source = 'summary CSV'): Promise<SummaryRow[]> {
  const records = await new Promise<string[][]>((resolve, reject) => {
    const out: string[][] = [];
    parseString<string[], string[]>(text, { headers: false, ignoreEmpty: true })
      .on('error', reject)
      .on('data', (record: string[]) => out.push(record))
      .on('end', () => resolve(out));
  });
  const [header, ...body] = records;
  const columns = CSV_COLUMNS;
  if (!header || header.join(',') !== CSV_HEADERS.join(',')) {
    throw new Error(`${source}: expected the header "${CSV_HEADERS.join(',')}", got "${header?.join(',') ?? ''}"`);
  }
  return body.map((record, i) => {
    const where = `${source} row ${i + 1}`;
    if (record.length !== columns.length) {
      throw new Error(`${where}: expected ${columns.length} fields, got ${record.length}`);
    }
    const value: Record<string, string | number> = {};
    columns.forEach(([, key, kind], c) => {
      const cell = record[c] ?? '';
      value[key] = kind === 'text' ? cell : cell === '' ? Number.NaN : Number(cell);
    });
    return parseRow(value, where);
  });
}
