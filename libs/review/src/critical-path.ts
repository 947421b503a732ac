/**
 * The run's critical path: the chain of services that decided when the run ended. It starts at
 * the service that ended last and walks back, each time to the image it builds FROM that ended
 * last (the one it had to wait for). Waiting for a build or push slot is not an edge: those
 * waits show on the bars themselves.
 */
import type { RunRecord } from './types.js';

/** Seconds from the run's start to the end of each service's last phase (or its row's finish). */
export function serviceEnds(run: RunRecord): Map<string, number> {
  const origin = Date.parse(run.startedAt);
  const ends = new Map<string, number>();
  for (const row of run.rows) {
    const spans = run.services[row.service]?.phases ?? [];
    const fromRow = Number.isFinite(origin) ? (Date.parse(row.finishedAt) - origin) / 1000 : Number.NaN;
    const end = spans.length ? Math.max(...spans.map((s) => s.end)) : fromRow;
    if (Number.isFinite(end)) ends.set(row.service, Math.max(0, end));
  }
  return ends;
}

/** Service names along the path, first to last; empty for a run without times. */
export function criticalPath(run: RunRecord): string[] {
  const ends = serviceEnds(run);
  const latest = (names: readonly string[]) =>
    names
      .filter((n) => ends.has(n))
      .reduce<string | undefined>(
        (best, n) => (best === undefined || ends.get(n)! > ends.get(best)! ? n : best),
        undefined,
      );
  const path: string[] = [];
  let at = latest([...ends.keys()].sort());
  while (at !== undefined && !path.includes(at)) {
    path.unshift(at);
    at = latest(run.services[at]?.dependsOn ?? []);
  }
  return path;
}
