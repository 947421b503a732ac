/**
 * One run-id scheme: `<UTC stamp>-<pid>[-n]`, new for every run this process starts. One process
 * may start many runs (a test, a batch after `--batch=false` tasks), so the pid alone is not
 * enough; rows carry the id, so a row of an older run is never read as this run's. The counter is
 * module-level on purpose: it only makes ids unique, and no run reads anything of another.
 */
let runsStarted = 0;

export function newRunId(now: Date = new Date()): string {
  const n = runsStarted++;
  return `${runIdOf(now, process.pid)}${n ? `-${n}` : ''}`;
}

/** The id of a run that a process (`pid`, started at `startedAt`) stands for: `<UTC stamp>-<pid>`. */
export function runIdOf(startedAt: Date, pid: number): string {
  const stamp = startedAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${pid}`;
}
