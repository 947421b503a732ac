/**
 * The three summary files of one run, rendered from the same rows: pure, so the specs can
 * compare them without touching the disk.
 */
import { renderCsv } from './csv.js';
import { renderMarkdown } from './markdown.js';
import { normaliseRow } from './row.js';
import type { SummaryJson, SummaryRow } from './types.js';

/** The Docker tag grammar: file names follow the tag, so nothing else gets in. */
export const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export interface SummaryFileNames {
  csv: string;
  json: string;
  md: string;
}

/** `build-summary-<tag>.csv|json|md` (names only). */
export function summaryFileNames(tag: string): SummaryFileNames {
  if (!DOCKER_TAG.test(tag)) {
    throw new TypeError(
      `summary tag must be a Docker tag ([A-Za-z0-9_][A-Za-z0-9._-]*, ≤128), got ${JSON.stringify(tag)}`,
    );
  }
  const base = `build-summary-${tag}`;
  return { csv: `${base}.csv`, json: `${base}.json`, md: `${base}.md` };
}

export interface RenderSummaryOptions {
  tag: string;
  runId: string;
  /** ISO 8601. */
  generatedAt: string;
}

/** File contents keyed like {@link SummaryFileNames}; rows are sorted by service. */
export async function renderSummary(
  rows: readonly SummaryRow[],
  opts: RenderSummaryOptions,
): Promise<SummaryFileNames> {
  const sorted = sortRows(rows).map(normaliseRow); // so the three files agree to the character
  const json: SummaryJson = { generatedAt: opts.generatedAt, runId: opts.runId, tag: opts.tag, rows: sorted };
  return {
    csv: await renderCsv(sorted),
    json: `${JSON.stringify(json, null, 2)}\n`,
    md: renderMarkdown(sorted, opts),
  };
}

export function sortRows(rows: readonly SummaryRow[]): SummaryRow[] {
  return [...rows].sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
}
