/** `history.html`: a small chart per service over the kept runs (inline SVG, no script, nothing fetched). */
import { esc, page, PHASE_STYLE } from './html.js';
import { serviceTrends, type ServiceTrend } from './trend.js';
import type { RunRecord } from './types.js';

const W = 260;
const H = 44;

export function renderTrend(runs: readonly RunRecord[]): string {
  const trends = serviceTrends(runs);
  const first = runs[0];
  const last = runs.at(-1);
  const body = `<h1>Build and push seconds over the last ${runs.length} run${runs.length === 1 ? '' : 's'}</h1>
<p class="facts">${first && last ? `${esc(first.startedAt)} → ${esc(last.startedAt)}. ` : ''}A point per run that built the service (unchanged: none). Slower than their usual first (the latest build + push against the median of the ones before).
<span class="legend"><span><i style="background:${PHASE_STYLE.build.colour}"></i>build s</span> <span><i style="background:${PHASE_STYLE.push.colour}"></i>push s</span></span></p>
<table>
<thead><tr><th>service</th><th>latest built s</th><th>median before</th><th>change</th><th>runs, oldest → newest</th></tr></thead>
<tbody>
${trends.map(row).join('\n')}
</tbody>
</table>`;
  return page('imagefleet history', body);
}

function row(t: ServiceTrend): string {
  return `<tr class="service" data-service="${esc(t.service)}"><td>${esc(t.service)}</td><td class="n">${t.latestSeconds.toFixed(2)}</td><td class="n">${t.medianBefore === null ? '' : t.medianBefore.toFixed(2)}</td><td class="n">${t.ratio === null ? '' : `${t.ratio}x`}</td><td>${chart(t)}</td></tr>`;
}

function chart(t: ServiceTrend): string {
  const max = Math.max(0.01, ...t.points.flatMap((p) => [p.buildSeconds ?? 0, p.pushSeconds ?? 0]));
  const x = (i: number) => (t.points.length === 1 ? W / 2 : 4 + (i * (W - 8)) / (t.points.length - 1));
  const y = (s: number) => H - 4 - (s / max) * (H - 8);
  const series = (key: 'buildSeconds' | 'pushSeconds', colour: string) => {
    const pts = t.points.map((p, i) => [i, p[key]] as const).filter(([, s]) => s !== null) as [number, number][];
    const line = pts.map(([i, s]) => `${x(i).toFixed(1)},${y(s).toFixed(1)}`).join(' ');
    const dots = pts
      .map(
        ([i, s]) =>
          `<circle cx="${x(i).toFixed(1)}" cy="${y(s).toFixed(1)}" r="2.5" fill="${colour}"><title>${esc(`${t.points[i]!.runId}: ${key === 'buildSeconds' ? 'build' : 'push'} ${s.toFixed(2)} s`)}</title></circle>`,
      )
      .join('');
    return `<polyline points="${line}" fill="none" stroke="${colour}" stroke-width="1.5"/>${dots}`;
  };
  return `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><rect width="${W}" height="${H}" fill="#fafafa"/>${series('buildSeconds', PHASE_STYLE.build.colour)}${series('pushSeconds', PHASE_STYLE.push.colour)}</svg>`;
}
