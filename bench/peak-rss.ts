/**
 * Peak resident memory of a process tree (issue 20: "peak RSS of any process ≤ 250 MB"), read
 * from Linux's /proc: every tick, each descendant's `VmHWM` (the kernel's own high-water mark of
 * that process, so a peak between ticks is not missed; only a process that lives less than a tick
 * can be). Sampling costs a directory read and a few small files per tick.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface PeakRss {
  /** The largest VmHWM seen, MiB. */
  mib: number;
  /** Its process's command name (`node`, `docker`, `buildx`, …). */
  command: string;
}

/** Start watching `rootPid` and what it starts; `stop()` returns the peak. */
export function watchPeakRss(rootPid: number, tickMs = 200): { stop: () => PeakRss } {
  const peak: PeakRss = { mib: 0, command: '' };
  const sample = () => {
    for (const pid of descendants(rootPid)) {
      const status = read(`/proc/${pid}/status`);
      const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
      const kib = Number(hwm?.[1] ?? 0);
      if (kib / 1024 > peak.mib) {
        peak.mib = kib / 1024;
        peak.command = /^Name:\s+(\S+)/m.exec(status)?.[1] ?? '?';
      }
    }
  };
  const timer = setInterval(sample, tickMs);
  sample();
  return {
    stop: () => {
      clearInterval(timer);
      return { ...peak };
    },
  };
}

/** `root` and every process below it, from each process's parent in /proc/<pid>/stat. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    // "pid (comm) state ppid …": comm may hold spaces or parentheses, so split after the last ')'.
    const stat = read(`/proc/${entry}/stat`);
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid)!.push(Number(entry));
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.pop()!;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** A process that ended between the listing and the read reads as ''. */
function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
