/** Which runs the history keeps: the newest `keepRuns` by start (the run id breaks ties). */

export interface RunStamp {
  runId: string;
  /** ISO 8601. */
  startedAt: string;
}

/** Oldest first, as the history lists them. */
export function byStart<T extends RunStamp>(runs: readonly T[]): T[] {
  return [...runs].sort((a, b) => {
    const d = (Date.parse(a.startedAt) || 0) - (Date.parse(b.startedAt) || 0);
    return d !== 0 ? d : a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0;
  });
}

/** The run ids to delete so that the newest `keep` remain. */
export function runsToDrop(runs: readonly RunStamp[], keep: number): string[] {
  const ordered = byStart(runs);
  return ordered.slice(0, Math.max(0, ordered.length - Math.max(1, keep))).map((r) => r.runId);
}
