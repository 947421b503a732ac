/**
 * With batching off (`--batch=false`, `NX_BATCH_MODE=false`) Nx runs each task in a process of
 * its own. The tasks of one invocation still make one run — one run id, so the summary holds a
 * row for each of them rather than the last task's alone — named after the Nx process that
 * started them: its pid, which Nx gives every task as `NX_INVOCATION_ROOT_PID`, and the time it
 * started (so a later invocation that gets the same pid is another run).
 */
import { readFile } from 'node:fs/promises';
import { runIdOf } from '@imagefleet/pipeline';

/** `/proc/<pid>/stat` counts in clock ticks; the kernel's user-space tick is 100 Hz. */
const TICKS_PER_SECOND = 100;

/** The run id of this task's Nx invocation; `undefined` where it cannot be told (no Nx parent, no /proc). */
export async function invocationRunId(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const pid = Number(env['NX_INVOCATION_ROOT_PID']);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const started = await processStartTime(pid);
  return started ? runIdOf(started, pid) : undefined;
}

async function processStartTime(pid: number): Promise<Date | undefined> {
  try {
    const [stat, system] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile('/proc/stat', 'utf8')]);
    // Field 22 (starttime), counted after the command name, which may hold spaces and parentheses.
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const boot = Number(/^btime (\d+)$/m.exec(system)?.[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(boot)) return undefined;
    return new Date(boot * 1000 + (ticks / TICKS_PER_SECOND) * 1000);
  } catch {
    return undefined;
  }
}
