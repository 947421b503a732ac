/** What the two pages share: escaping, the phase colours, the page frame (inline CSS, no script, no fetch). */
import type { SummaryRow } from '@imagefleet/report';
import type { PhaseName } from './types.js';

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export const PHASE_STYLE: Record<PhaseName, { colour: string; label: string }> = {
  check: { colour: '#b0bec5', label: 'registry check' },
  'build-wait': { colour: '#ffe0b2', label: 'waiting for a build slot' },
  build: { colour: '#fb8c00', label: 'building' },
  'push-wait': { colour: '#bbdefb', label: 'waiting for a push slot' },
  push: { colour: '#1e88e5', label: 'pushing (one bar per attempt)' },
  'retry-wait': { colour: '#f48fb1', label: 'backing off before a retry' },
  verify: { colour: '#43a047', label: 'verifying' },
  'node-pull': { colour: '#8e24aa', label: 'pulling as a node' },
};

export const FAILED_COLOUR = '#e53935';

/** The row's numbers, as hover text. */
export function rowSummary(r: SummaryRow): string {
  return [
    `${r.service}: ${r.status}${r.phase ? ` (${r.phase})` : ''}`,
    `build ${r.buildSeconds.toFixed(2)} s, push ${r.pushSeconds.toFixed(2)} s (${r.attempts} attempt${r.attempts === 1 ? '' : 's'}), verify ${r.verifySeconds.toFixed(2)} s`,
    r.cacheSteps ? `cache: ${r.cachedSteps}/${r.cacheSteps} steps cached` : '',
    r.digest ? `digest ${r.digest}` : '',
    r.error ? `error: ${r.error}` : '',
    r.note ? `note: ${r.note}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>
body { font: 13px/1.4 system-ui, sans-serif; margin: 16px; color: #212121; background: #fff; }
h1 { font-size: 18px; margin: 0 0 4px; }
.facts { margin: 0 0 8px; color: #424242; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 0 0 10px; }
.legend span { display: inline-flex; align-items: center; gap: 4px; }
.legend i { display: inline-block; width: 14px; height: 10px; border: 1px solid #0003; }
svg text { font: 12px system-ui, sans-serif; }
svg .label { dominant-baseline: middle; }
svg .critical .label { font-weight: 700; }
svg .axis { fill: #616161; font-size: 11px; }
table { border-collapse: collapse; }
td, th { padding: 2px 8px; text-align: left; border-bottom: 1px solid #eee; vertical-align: middle; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}
