/**
 * The timeline's geometry, apart from its drawing: one row per service sorted by when it
 * started, each phase a bar whose x and width come from its times on one axis from the run's
 * start. The plot has a fixed width (the run's wall time spans it) and grows downwards, so 300
 * services scroll instead of shrinking.
 */
import type { SummaryRow } from '@imagefleet/report';
import { criticalPath, serviceEnds } from './critical-path.js';
import type { PhaseSpan, RunRecord } from './types.js';

export interface TimelineBar extends PhaseSpan {
  x: number;
  width: number;
}

export interface TimelineRow {
  service: string;
  row: SummaryRow;
  /** Top of the row. */
  y: number;
  critical: boolean;
  bars: TimelineBar[];
}

export interface TimelineLayout {
  width: number;
  height: number;
  /** Where the time axis' zero is. */
  plotLeft: number;
  plotWidth: number;
  rowHeight: number;
  /** Top of the first row. */
  top: number;
  /** Pixels per second. */
  scale: number;
  /** The axis' length in seconds: the wall time, or the last span's end if later. */
  seconds: number;
  ticks: { x: number; seconds: number }[];
  rows: TimelineRow[];
  criticalPath: string[];
}

export interface LayoutOptions {
  /** @default 220 */
  labelWidth?: number;
  /** @default 960 */
  plotWidth?: number;
  /** @default 20 */
  rowHeight?: number;
  /** @default 28 */
  top?: number;
}

export function layoutTimeline(run: RunRecord, opts: LayoutOptions = {}): TimelineLayout {
  const labelWidth = opts.labelWidth ?? 220;
  const plotWidth = opts.plotWidth ?? 960;
  const rowHeight = opts.rowHeight ?? 20;
  const top = opts.top ?? 28;
  const ends = serviceEnds(run);
  const seconds = Math.max(run.wallSeconds, ...ends.values(), 0.001);
  const scale = plotWidth / seconds;
  const path = criticalPath(run);
  const starts = new Map(run.rows.map((r) => [r.service, startOf(run, r)]));
  const ordered = [...run.rows].sort(
    (a, b) =>
      (starts.get(a.service) ?? Infinity) - (starts.get(b.service) ?? Infinity) ||
      (a.service < b.service ? -1 : a.service > b.service ? 1 : 0),
  );
  const rows = ordered.map((row, i) => ({
    service: row.service,
    row,
    y: top + i * rowHeight,
    critical: path.includes(row.service),
    bars: (run.services[row.service]?.phases ?? []).map((span) => ({
      ...span,
      x: round1(labelWidth + span.start * scale),
      // A phase of a few milliseconds still shows as a sliver.
      width: Math.max(1, round1((span.end - span.start) * scale)),
    })),
  }));
  return {
    width: labelWidth + plotWidth + 20,
    height: top + rows.length * rowHeight + 10,
    plotLeft: labelWidth,
    plotWidth,
    rowHeight,
    top,
    scale,
    seconds,
    ticks: tickSeconds(seconds).map((s) => ({ x: round1(labelWidth + s * scale), seconds: s })),
    rows,
    criticalPath: path,
  };
}

/** Seconds from the run's start to the service's first phase, or its row's start; Infinity if it never started. */
function startOf(run: RunRecord, row: SummaryRow): number {
  const spans = run.services[row.service]?.phases ?? [];
  if (spans.length) return Math.min(...spans.map((s) => s.start));
  const t = Date.parse(row.startedAt) - Date.parse(run.startedAt);
  return Number.isFinite(t) ? t / 1000 : Infinity;
}

/** Round steps (1, 2, 5 × 10^n s) giving at most ten ticks from 0 to `seconds`. */
export function tickSeconds(seconds: number): number[] {
  const raw = seconds / 10;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = 0; t <= seconds + 1e-9 && ticks.length <= 11; t += step) ticks.push(Number(t.toFixed(6)));
  return ticks;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
