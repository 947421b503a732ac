/**
 * `timeline-<tag>.html`: one self-contained page (inline SVG and CSS, no script, nothing
 * fetched) drawing the layout of {@link layoutTimeline}. Hover text is SVG `<title>`.
 */
import { formatTotals, OUTCOME_TABLE } from '@imagefleet/report';
import { layoutTimeline, type TimelineLayout, type TimelineRow } from './timeline.js';
import { esc, FAILED_COLOUR, page, PHASE_STYLE, rowSummary } from './html.js';
import { PHASE_NAMES, type RunRecord } from './types.js';

const BAND: Record<string, string> = { failed: '#ffebee', skipped: '#ffebee', busy: '#ffebee', interrupted: '#eceff1' };

export function renderTimeline(run: RunRecord): string {
  const layout = layoutTimeline(run);
  const legend = [
    ...PHASE_NAMES.map((p) => swatch(PHASE_STYLE[p].colour, PHASE_STYLE[p].label)),
    swatch(FAILED_COLOUR, 'failed attempt (dashed: stalled)'),
    swatch('#fffde7', 'critical path (bold name, outlined bars)'),
    swatch(BAND['failed']!, 'failed, skipped or busy service'),
    swatch(BAND['interrupted']!, 'interrupted service'),
  ].join('');
  const body = `<h1>Run ${esc(run.runId)} <small>(${esc(run.tag)})</small></h1>
<p class="facts">started ${esc(run.startedAt)}, wall ${run.wallSeconds.toFixed(2)} s; ${esc(formatTotals(run.rows))}.
Critical path: ${esc(layout.criticalPath.join(' → ') || 'none')}.</p>
<div class="legend">${legend}</div>
${svg(layout)}`;
  return page(`imagefleet run ${run.runId}`, body);
}

function swatch(colour: string, label: string): string {
  return `<span><i style="background:${colour}"></i>${esc(label)}</span>`;
}

function svg(l: TimelineLayout): string {
  const bottom = l.height - 10;
  const grid = l.ticks
    .map(
      (t) =>
        `<line x1="${t.x}" y1="${l.top - 4}" x2="${t.x}" y2="${bottom}" stroke="#e0e0e0"/>` +
        `<text class="axis" x="${t.x}" y="${l.top - 8}" text-anchor="middle">${t.seconds} s</text>`,
    )
    .join('\n');
  return `<svg width="${l.width}" height="${l.height}" viewBox="0 0 ${l.width} ${l.height}" role="img" aria-label="timeline of the run">
${grid}
${l.rows.map((r) => row(l, r)).join('\n')}
</svg>`;
}

function row(l: TimelineLayout, r: TimelineRow): string {
  const band = BAND[r.row.status] ?? (r.critical ? '#fffde7' : '');
  const mid = r.y + l.rowHeight / 2;
  const bars = r.bars
    .map((b) => {
      const failed = Boolean(b.note);
      const fill = failed && b.phase === 'push' ? FAILED_COLOUR : PHASE_STYLE[b.phase].colour;
      const stroke = r.critical ? ' stroke="#212121" stroke-width="1.2"' : '';
      const dash = b.note?.includes('stall') ? ' stroke-dasharray="3 2" stroke="#212121"' : '';
      const what = `${PHASE_STYLE[b.phase].label}${b.attempt ? `, attempt ${b.attempt}` : ''}`;
      const title = `${r.service}: ${what}: ${b.start.toFixed(2)} → ${b.end.toFixed(2)} s (${(b.end - b.start).toFixed(2)} s)${b.note ? `, ${b.note}` : ''}`;
      return `<rect class="bar" data-phase="${b.phase}" x="${b.x}" y="${r.y + 3}" width="${b.width}" height="${l.rowHeight - 6}" fill="${fill}"${stroke}${dash}><title>${esc(title)}</title></rect>`;
    })
    .join('');
  const status = OUTCOME_TABLE[r.row.status].ok ? '' : ` (${r.row.status})`;
  return `<g class="row${r.critical ? ' critical' : ''}" data-service="${esc(r.service)}" data-status="${r.row.status}"><title>${esc(rowSummary(r.row))}</title>${
    band ? `<rect x="0" y="${r.y}" width="${l.width}" height="${l.rowHeight}" fill="${band}"/>` : ''
  }<text class="label" x="6" y="${mid}"${status ? ` fill="${FAILED_COLOUR}"` : ''}>${esc(truncate(r.service, 26) + status)}</text>${bars}</g>`;
}

function truncate(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
