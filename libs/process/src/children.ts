/**
 * Every child process group the run has started, so an interrupt can stop them all.
 * Children are started detached (their own process group) so that killing the group
 * also stops what they spawned (docker CLI plugins, shells), leaving no orphans.
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
