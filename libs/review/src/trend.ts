/**
 * The trend over the kept runs, per service: build and push seconds of the runs that built it
 * (an unchanged service spent nothing: no point), the latest against the median of the ones
 * before. Services that got slower come first.
 */
import type { RunRecord } from './types.js';

export interface TrendPoint {
  runId: string;
  /** null when that run did not build the service (not in it, unchanged, or failed before building). */
  buildSeconds: number | null;
  pushSeconds: number | null;
}

export interface ServiceTrend {
  service: string;
  /** One per kept run, oldest first. */
  points: TrendPoint[];
  /** Build + push seconds of the latest run that built the service; 0 when none did. */
  latestSeconds: number;
  /** Median build + push seconds of the runs before that one that spent any time; null with none. */
  medianBefore: number | null;
  /** latest / medianBefore, null without a median. */
  ratio: number | null;
}

export function serviceTrends(runs: readonly RunRecord[]): ServiceTrend[] {
  const names = [...new Set(runs.flatMap((r) => r.rows.map((row) => row.service)))];
  const trends = names.map((service) => {
    const points = runs.map((run) => {
      const row = run.rows.find((r) => r.service === service);
      const built = row !== undefined && row.buildSeconds + row.pushSeconds > 0;
      return {
        runId: run.runId,
        buildSeconds: built ? row.buildSeconds : null,
        pushSeconds: built ? row.pushSeconds : null,
      };
    });
    const totals = points.filter((p) => p.buildSeconds !== null).map((p) => p.buildSeconds! + p.pushSeconds!);
    const latestSeconds = totals.at(-1) ?? 0;
    const before = totals.slice(0, -1).filter((t) => t > 0);
    const medianBefore = before.length ? median(before) : null;
    const ratio = medianBefore && latestSeconds ? Math.round((latestSeconds / medianBefore) * 100) / 100 : null;
    return { service, points, latestSeconds, medianBefore, ratio };
  });
  return trends.sort(
    (a, b) =>
      (b.ratio ?? 0) - (a.ratio ?? 0) ||
      b.latestSeconds - a.latestSeconds ||
      (a.service < b.service ? -1 : a.service > b.service ? 1 : 0),
  );
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
