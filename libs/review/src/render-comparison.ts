/** A comparison for a person: a terminal table, and the same in Markdown for CI job pages. */
import { formatTotals } from '@imagefleet/report';
import { builtServices, type RunComparison, type ServiceComparison } from './compare.js';
import type { RunRecord } from './types.js';

const HEADERS = ['SERVICE', 'CHANGE', 'DIGEST', 'BUILD S', 'PUSH S', 'CACHED'];

function cells(s: ServiceComparison): string[] {
  return [
    s.service,
    s.slower ? `${s.change}, slower` : s.change,
    s.change === 'new' || s.change === 'gone' ? '' : s.digestChanged ? 'changed' : 'same',
    timeChange(s.previousBuildSeconds, s.buildSeconds, s.buildRatio),
    timeChange(s.previousPushSeconds, s.pushSeconds, s.pushRatio),
    cacheChange(s),
  ];
}

/** `5.10 → 12.30 (2.41x)`; one number when only one run spent time there. */
function timeChange(then: number, now: number, ratio: number | null): string {
  if (!then && !now) return '';
  if (ratio === null) return then ? `${then.toFixed(2)} → 0` : now.toFixed(2);
  return `${then.toFixed(2)} → ${now.toFixed(2)} (${ratio}x)`;
}

/** `0/5, was 5/5`: a cache that stopped working shows here. */
function cacheChange(s: ServiceComparison): string {
  const now = s.cacheSteps ? `${s.cachedSteps}/${s.cacheSteps}` : '';
  const then = s.previousCacheSteps ? `${s.previousCachedSteps}/${s.previousCacheSteps}` : '';
  if (now && then) return now === then ? now : `${now}, was ${then}`;
  return now || (then ? `was ${then}` : '');
}

function headline(c: RunComparison): string[] {
  const wall =
    c.wallRatio === null
      ? `wall ${c.wallSeconds.toFixed(2)} s`
      : `wall ${c.previousWallSeconds.toFixed(2)} → ${c.wallSeconds.toFixed(2)} s (${c.wallRatio}x)`;
  const built = builtServices(c);
  const count = (change: ServiceComparison['change']) => c.services.filter((s) => s.change === change).length;
  return [
    `run ${c.runId} against ${c.previousRunId}: ${wall}`,
    `rebuilt (${built.length}): ${built.join(', ') || 'none'}; newly failed ${count('newly-failed')}, fixed ${count('fixed')}, slower ${c.services.filter((s) => s.slower).length}`,
  ];
}

export function renderComparisonTable(c: RunComparison): string {
  const rows = [HEADERS, ...c.services.map(cells)];
  const widths = HEADERS.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  return [...headline(c), '', ...lines].join('\n');
}

export function renderComparisonMarkdown(c: RunComparison): string {
  const esc = (t: string) => t.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const row = (r: string[]) => `| ${r.map(esc).join(' | ')} |`;
  return [
    `## Against the previous run \`${c.previousRunId}\``,
    '',
    ...headline(c).map((l) => `${l}  `),
    '',
    row(['Service', 'Change', 'Digest', 'Build s', 'Push s', 'Cached']),
    '| --- | --- | --- | ---: | ---: | --- |',
    ...c.services.map((s) => row(cells(s))),
    '',
  ].join('\n');
}

/** `imagefleet summary --runs`: one line per kept run, oldest first. */
export function renderRunList(runs: readonly RunRecord[]): string {
  if (!runs.length)
    return 'no runs kept yet (each run writes artifacts/image-build-logs/runs/<run-id>.json when it ends)';
  const rows = [
    ['RUN', 'STARTED', 'WALL S', 'SERVICES'],
    ...runs.map((r) => [r.runId, r.startedAt, r.wallSeconds.toFixed(2), formatTotals(r.rows)]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
