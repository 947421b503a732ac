/**
 * One log file per service and run. Lines go to `<service>_<tag>.log.partial` as they come
 * (readable with `tail -f` while the task runs), each through the redactor first; `close()`
 * keeps the previous log as `<service>_<tag>.prev.log` and renames the partial over
 * `<service>_<tag>.log`, so the final name only ever holds a complete log. A task that dies
 * leaves its `.partial` behind: the evidence of where it stopped. One log can span two tasks
 * (build, then push): the first `detach()`es, the second opens with `append: true`.
 */
import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { chmod, copyFile, link, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { namingFile } from './atomic.js';
import { SERVICE_NAME } from './row.js';
import { DOCKER_TAG } from './summary.js';

export interface ServiceLogOptions {
  /** Log directory, e.g. `artifacts/image-build-logs`; created if missing. */
  dir: string;
  service: string;
  tag: string;
  /** Applied to every piece of text before it reaches the file. */
  redact: (text: string) => string;
  /**
   * Continue an existing `.partial` (a later task of the same run, e.g. push after build) instead
   * of starting it afresh. @default false
   */
  append?: boolean;
  /** @default () => new Date() */
  now?: () => Date;
}

export interface ServiceLog {
  /** `<dir>/<service>_<tag>.log`: the complete log, after `close()`. */
  path: string;
  /** `<dir>/<service>_<tag>.log.partial`: the log being written. */
  inProgressPath: string;
  /** `<dir>/<service>_<tag>.prev.log`: the previous run's log, kept by `close()`. */
  prevPath: string;
  /** Append text (split into lines, each prefixed with an ISO time). Throws after `close()`. */
  line(text: string): void;
  /** A phase marker line, `==> <name>: <text>`, so a reader can find where each phase starts. */
  phase(name: string, text?: string): void;
  /** Flush, keep the previous log, publish this one. Calling it (or `detach`) again does nothing. */
  close(): Promise<void>;
  /**
   * Flush and stop writing but leave the `.partial` unpublished, for a later task to reopen with
   * `append: true` and `close()`. Calling it (or `close`) again does nothing.
   */
  detach(): Promise<void>;
}

/**
 * Synchronous writes on purpose: lines land in the file in order and at once, and whatever was
 * logged before a crash is on disk; a build log is far too slow a stream for this to matter.
 */
export function openServiceLog(opts: ServiceLogOptions): ServiceLog {
  if (!SERVICE_NAME.test(opts.service)) {
    throw new TypeError(`openServiceLog: service must be a file-safe name, got ${JSON.stringify(opts.service)}`);
  }
  if (!DOCKER_TAG.test(opts.tag)) {
    throw new TypeError(`openServiceLog: tag must be a Docker tag, got ${JSON.stringify(opts.tag)}`);
  }
  const now = opts.now ?? (() => new Date());
  const base = join(opts.dir, `${opts.service}_${opts.tag}`);
  const path = `${base}.log`;
  const inProgressPath = `${path}.partial`;
  const prevPath = `${base}.prev.log`;
  mkdirSync(opts.dir, { recursive: true });
  // 'w': a partial left by a task that died in an earlier run is started afresh.
  let fd: number | undefined = openSync(inProgressPath, opts.append ? 'a' : 'w', LOG_MODE);
  // A build log can hold what a RUN printed: owner-only, also for a file an older run created 0644.
  fchmodSync(fd, LOG_MODE);
  let ending: Promise<void> | undefined;
  const end = async (publish: boolean): Promise<void> => {
    const handle = fd!;
    fd = undefined;
    fsyncSync(handle);
    closeSync(handle);
    if (!publish) return;
    await keepPrevious(path, prevPath);
    await rename(inProgressPath, path);
  };

  let written = 0;
  const write = (text: string): void => {
    if (fd === undefined) throw new Error(`service log ${path} is closed; nothing more can be written to it`);
    const stamp = now().toISOString();
    const lines = opts.redact(text).split(/\r\n|\r|\n/);
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    try {
      written += writeAll(fd, Buffer.from(lines.map((l) => `${stamp} ${l}`.trimEnd() + '\n').join('')));
    } catch (error) {
      // A full disk: name the file, and leave no empty `.partial` that looks like a task's evidence.
      if (written === 0 && !opts.append) {
        closeSync(fd);
        fd = undefined;
        ending = Promise.resolve();
        rmSync(inProgressPath, { force: true });
      }
      throw namingFile(error, inProgressPath);
    }
  };

  return {
    path,
    inProgressPath,
    prevPath,
    line: write,
    phase: (name, text = '') => write(`==> ${name}${text ? `: ${text}` : ''}`),
    close: () => (ending ??= end(true)),
    detach: () => (ending ??= end(false)),
  };
}

/** Logs, `.partial` and `.prev.log` alike: owner read/write only. */
export const LOG_MODE = 0o600;

/** Hard-link the current log as the previous one, so `path` never goes missing meanwhile. */
async function keepPrevious(path: string, prevPath: string): Promise<void> {
  await rm(prevPath, { force: true });
  try {
    await link(path, prevPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // first run: nothing to keep
    await copyFile(path, prevPath); // file systems without hard links
  }
  // The previous log may come from a version that wrote logs 0644.
  await chmod(prevPath, LOG_MODE);
}

function writeAll(fd: number, buf: Buffer): number {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off);
  return off;
}
