/**
 * Which run a task belongs to: `IMAGEFLEET_RUN_ID` when the plugin's pre-tasks hook or the
 * imagefleet wrapper set it, else the nearest ancestor `nx` process (pid + start time: unique
 * across reboots of the pid counter), else this process itself. Rows carry it, so a row from
 * an older run is never read as this run's.
 */
import { readFileSync } from 'node:fs';
import { RUN_ID_ENV } from './run-env.js';

export function currentRunId(env: NodeJS.ProcessEnv = process.env): string {
  if (env[RUN_ID_ENV]) return env[RUN_ID_ENV];
  return runIdFor(nxAncestor()?.pid ?? process.pid);
}

/**
 * The `nx` command this task runs under, if any: its pid and its arguments after the nx script.
 * Read once and kept: after an interrupt Nx may exit before this task does, and the task is
 * then re-parented away from it.
 */
let ancestor: { pid: number; args: string[] } | null | undefined;
export function nxAncestor(): { pid: number; args: string[] } | null {
  if (ancestor === undefined) ancestor = findNxAncestor();
  return ancestor;
}

function findNxAncestor(): { pid: number; args: string[] } | null {
  let args: string[] = [];
  const pid = findAncestor((cmdline) => {
    const script = cmdline.findIndex((part, i) => i <= 1 && /(^|\/)nx(\.js)?$/.test(part));
    if (script === -1) return false;
    args = cmdline.slice(script + 1);
    return true;
  });
  return pid === null ? null : { pid, args };
}

export function runIdFor(pid: number): string {
  return `${stampOf(processStartTime(pid) ?? new Date())}-${pid}`;
}

/**
 * The id of a run this process starts now. Not `runIdFor(process.pid)`: one process may start
 * many runs — the Nx daemon runs the plugin hooks of every invocation — and two runs sharing an id
 * would share rows and, worse, the "fresh" Nx cache key of a run (nx-cache-keys.ts), which must
 * never match an earlier run's.
 */
export function newRunId(): string {
  const n = runsStarted++;
  return `${stampOf(new Date())}-${process.pid}${n ? `-${n}` : ''}`;
}
let runsStarted = 0;

const stampOf = (date: Date): string => date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

function findAncestor(match: (cmdline: string[]) => boolean): number | null {
  let pid = process.ppid;
  for (let depth = 0; depth < 16 && pid > 1; depth++) {
    const cmdline = readProc(pid, 'cmdline')?.split('\0').filter(Boolean);
    if (cmdline && match(cmdline)) return pid;
    const stat = readProc(pid, 'stat');
    const ppid = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : NaN;
    if (!Number.isFinite(ppid)) return null;
    pid = ppid;
  }
  return null;
}

function processStartTime(pid: number): Date | null {
  const stat = readProc(pid, 'stat');
  const procStat = readFileSafe('/proc/stat');
  if (!stat || !procStat) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTicks = Number(fields[19]); // field 22 of /proc/<pid>/stat
  const btime = Number(/^btime (\d+)$/m.exec(procStat)?.[1]);
  if (!Number.isFinite(startTicks) || !Number.isFinite(btime)) return null;
  const ticksPerSecond = 100; // USER_HZ on Linux
  return new Date((btime + startTicks / ticksPerSecond) * 1000);
}

function readProc(pid: number, file: string): string | null {
  return readFileSafe(`/proc/${pid}/${file}`);
}

function readFileSafe(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
