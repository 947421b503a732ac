/**
 * Every child process group this process has started, so a last interrupt can stop them all.
 * Children are started detached (their own process group) so that killing the group
 * also stops what they spawned (docker CLI plugins, shells), leaving no orphans.
 *
 * Module-level on purpose, and safe: a group is in the set only while its child runs (run.ts
 * untracks it on exit), so nothing a run tracked outlives it; and the set is read only when the
 * process exits on a second signal (interrupt.ts), when every child must go whichever run
 * started it.
 */
import { systemClock } from './clock.js';

const liveGroups = new Set<number>();

export function trackGroup(pid: number): () => void {
  liveGroups.add(pid);
  return () => liveGroups.delete(pid);
}

/** Signal a whole process group; a group that is already gone is not an error. */
export function killGroup(pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** Stop every tracked group: SIGTERM now, SIGKILL after `graceMs` for any that stays. */
export async function killAllGroups(graceMs = 3000): Promise<void> {
  const groups = [...liveGroups];
  for (const pid of groups) killGroup(pid, 'SIGTERM');
  const deadline = systemClock.now() + graceMs;
  while (systemClock.now() < deadline && groups.some(isGroupAlive)) await systemClock.sleep(50);
  for (const pid of groups) if (isGroupAlive(pid)) killGroup(pid, 'SIGKILL');
}

function isGroupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}
