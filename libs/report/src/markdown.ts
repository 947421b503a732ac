/**
 * The summary as Markdown, for CI job summaries (`$GITHUB_STEP_SUMMARY`): a plain table, no
 * emoji, and the same totals line as the terminal table.
 */
import { formatTotals, shortDigest } from './table.js';
import type { SummaryRow } from './types.js';

export interface MarkdownOptions {
  tag: string;
  runId: string;
  generatedAt: string;
}

const HEADERS = [
  'Service',
  'Status',
  'Phase',
  'Attempts',
  'Build s',
  'Push s',
  'Verify s',
  'Cached',
  'Verify',
  'Digest',
  'Log',
  'Error',
  'Note',
];
const ALIGN = ['---', '---', '---', '---:', '---:', '---:', '---:', '---:', '---', '---', '---', '---', '---'];

export function renderMarkdown(rows: readonly SummaryRow[], opts: MarkdownOptions): string {
  const body = rows.map((r) =>
    [
      r.service,
      r.status,
      r.phase,
      String(r.attempts),
      r.buildSeconds.toFixed(2),
      r.pushSeconds.toFixed(2),
      r.verifySeconds.toFixed(2),
      cacheUse(r),
      r.verify,
      r.digest ? code(shortDigest(r.digest)) : '',
      r.log ? code(r.log) : '',
      r.error,
      r.note,
    ].map(cell),
  );
  return [
    `## Build summary \`${opts.tag}\``,
    '',
    `Run \`${opts.runId}\`, generated ${opts.generatedAt}.`,
    '',
    row(HEADERS),
    row(ALIGN),
    ...body.map(row),
    '',
    `**${formatTotals(rows)}**`,
    '',
  ].join('\n');
}

/** `2/5`: steps taken from BuildKit's cache of those built; empty when nothing was built. */
export function cacheUse(r: Pick<SummaryRow, 'cacheSteps' | 'cachedSteps'>): string {
  return r.cacheSteps ? `${r.cachedSteps}/${r.cacheSteps}` : '';
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** A table cell: one line, pipes escaped; `<`/`>` escaped so an error cannot open HTML. */
function cell(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}
