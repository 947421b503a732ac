import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFakeClock } from './clock.js';
import { LockTimeoutError, acquireSlot, withFileLock } from './lock.js';

const run = promisify(execFile);
const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));
/**
 * The worker, bundled once with lock.ts into plain JavaScript: a dozen workers booting through
 * the tsx loader cost seconds of CPU on a shared machine; plain node starts in a quarter of it.
 */
let worker: string;
let workerDir: string;
beforeAll(async () => {
  workerDir = await mkdtemp(join(tmpdir(), 'lock-worker-'));
  worker = join(workerDir, 'lock-worker.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./fixtures/lock-worker.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: worker,
    logLevel: 'warning',
  });
});
afterAll(() => rm(workerDir, { recursive: true, force: true }));
const nodeArgs = (...args: string[]) => [worker, ...args];
const runWorker = (...args: string[]) => run(process.execPath, nodeArgs(...args), { cwd: workspaceRoot });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid!;
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const holderJson = (pid: number) =>
  JSON.stringify({ pid, hostname: hostname(), acquiredAt: new Date().toISOString(), token: 'x' });

describe('acquireSlot across processes', () => {
  it('never lets more than `slots` processes in at once, and lets all of them through', async () => {
    const n = 6;
    const slots = join(dir, 'slots');
    const out = join(dir, 'out');
    const go = join(dir, 'go');
    await mkdir(out);
    const children = Array.from({ length: n }, () => runWorker('slot', slots, '2', out, '200', go));
    // Start them together: every worker has booted before the first one may take a slot.
    await waitFor(async () => (await readdir(out)).filter((f) => f.startsWith('ready-')).length === n);
    await writeFile(go, '');
    await Promise.all(children);

    const spans = await Promise.all(
      (await readdir(out))
        .filter((f) => f.startsWith('span-'))
        .map(
          async (f) => JSON.parse(await readFile(join(out, f), 'utf8')) as { slot: number; start: number; end: number },
        ),
    );
    expect(spans).toHaveLength(n);
    const events = spans.flatMap((s) => [
      { t: s.start, d: 1 },
      { t: s.end, d: -1 },
    ]);
    events.sort((a, b) => a.t - b.t || a.d - b.d); // an end at the same ms as a start comes first
    let now = 0;
    let max = 0;
    for (const e of events) max = Math.max(max, (now += e.d));
    expect(max).toBe(2);
    expect(new Set(spans.map((s) => s.slot))).toEqual(new Set([0, 1]));
    expect(await readdir(slots)).toEqual([]); // every slot released
  });

  it('reclaims the slot of a process killed with SIGKILL', async () => {
    const ready = join(dir, 'ready');
    const child = spawn(process.execPath, nodeArgs('hold', dir, '1', ready), { cwd: workspaceRoot, stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    await waitFor(() => existsSync(ready));
    expect(existsSync(join(dir, 'slot-0.lock'))).toBe(true);
    child.kill('SIGKILL');
    await exited;
    const slot = await acquireSlot(dir, 1, { pollMs: 10 });
    expect(slot.slot).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'slot-0.lock'), 'utf8')).pid).toBe(process.pid);
    await slot.release();
  });

  it('removes held slot files in an exit handler when a process exits without releasing', async () => {
    await runWorker('exit', dir, '3');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('acquireSlot in one process', () => {
  it('reclaims slot files left by a dead pid', async () => {
    const pid = deadPid();
    await writeFile(join(dir, 'slot-0.lock'), holderJson(pid));
    await writeFile(join(dir, 'slot-1.lock'), holderJson(pid));
    const a = await acquireSlot(dir, 2);
    const b = await acquireSlot(dir, 2);
    expect([a.slot, b.slot].sort()).toEqual([0, 1]);
    await a.release();
    await b.release();
  });

  it('reports the holders while waiting and rejects with the abort reason', async () => {
    const a = await acquireSlot(dir, 2);
    const b = await acquireSlot(dir, 2);
    const ac = new AbortController();
    const seen: number[][] = [];
    const clock = createFakeClock();
    const waiting = acquireSlot(dir, 2, { signal: ac.signal, pollMs: 10, clock, onWait: (h) => seen.push(h) });
    // Three rounds of polling with the same holders, then the interrupt during the fourth wait.
    for (let round = 0; round < 3; round++) {
      await clock.pending();
      await clock.advance(15); // the longest the jittered 10 ms can be
    }
    await clock.pending();
    ac.abort(new Error('run interrupted'));
    await expect(waiting).rejects.toThrow('run interrupted');
    expect(seen).toEqual([[process.pid, process.pid]]); // once: the holders did not change
    expect(clock.timers).toEqual([]); // the interrupted wait left no timer behind
    await a.release();
    await b.release();
  });

  it('takes a slot as soon as one is released', async () => {
    const a = await acquireSlot(dir, 1);
    const clock = createFakeClock();
    let released: Promise<void> | undefined;
    const waiting = acquireSlot(dir, 1, { pollMs: 10, clock, onWait: () => (released = a.release()) });
    await clock.pending();
    await released;
    await clock.advance(15); // one poll: the longest the jittered 10 ms can be
    const b = await waiting;
    expect(b.slot).toBe(0);
    await b.release();
  });

  it('release is idempotent and never removes a slot someone else took since', async () => {
    const a = await acquireSlot(dir, 1);
    await a.release();
    const b = await acquireSlot(dir, 1);
    await a.release();
    expect(existsSync(join(dir, 'slot-0.lock'))).toBe(true);
    await b.release();
    expect(existsSync(join(dir, 'slot-0.lock'))).toBe(false);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects slots = %s, naming the option', async (slots) => {
    await expect(acquireSlot(dir, slots)).rejects.toThrow(/slots must be a positive integer/);
  });
});

describe('withFileLock', () => {
  it('serialises a counter incremented by 8 processes: no lost updates', async () => {
    const lock = join(dir, 'counter.lock');
    const counter = join(dir, 'counter');
    await Promise.all(Array.from({ length: 8 }, () => runWorker('counter', lock, counter, '15')));
    expect(await readFile(counter, 'utf8')).toBe('120');
    expect(existsSync(lock)).toBe(false);
  });

  it('serialises callers in the same process and releases after a throw', async () => {
    const lock = join(dir, 'l.lock');
    let inside = 0;
    let maxInside = 0;
    const task = () =>
      withFileLock(lock, async () => {
        maxInside = Math.max(maxInside, ++inside);
        await new Promise((r) => setTimeout(r, 5));
        inside--;
      });
    await Promise.all(Array.from({ length: 10 }, task));
    expect(maxInside).toBe(1);
    await expect(withFileLock(lock, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(existsSync(lock)).toBe(false);
    await expect(withFileLock(lock, async () => 42)).resolves.toBe(42);
  });

  it('reclaims a lock held by a dead pid', async () => {
    const lock = join(dir, 'l.lock');
    await writeFile(lock, holderJson(deadPid()));
    await expect(withFileLock(lock, async () => 'ok', { timeoutMs: 1000 })).resolves.toBe('ok');
  });

  it('reclaims an empty lock file older than 2 s, but waits for a fresh one', async () => {
    const lock = join(dir, 'l.lock');
    await writeFile(lock, '');
    await expect(withFileLock(lock, async () => 'ok', { timeoutMs: 200 })).rejects.toThrow(LockTimeoutError);
    const old = new Date(Date.now() - 5000);
    await utimes(lock, old, old);
    await expect(withFileLock(lock, async () => 'ok', { timeoutMs: 200 })).resolves.toBe('ok');
  });

  it('times out with an error naming the lock path and the holder pid', async () => {
    const lock = join(dir, 'l.lock');
    await writeFile(lock, holderJson(process.ppid));
    const error = await withFileLock(lock, async () => 'never', { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect((error as LockTimeoutError).message).toContain(lock);
    expect((error as LockTimeoutError).message).toContain(`pid ${process.ppid}`);
    expect((error as LockTimeoutError).holder?.pid).toBe(process.ppid);
    expect(existsSync(lock)).toBe(true); // a live holder's lock is left alone
  });

  it('with timeoutMs 0 does not wait: a held lock fails at once, naming its holder', async () => {
    const lock = join(dir, 'l.lock');
    await writeFile(lock, holderJson(process.ppid));
    const clock = createFakeClock();
    const error = await withFileLock(lock, async () => 'never', { timeoutMs: 0, clock }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'LockTimeoutError', waitedMs: 0, holder: { pid: process.ppid } });
    expect(clock.timers).toEqual([]);
  });

  it('rejects a bad timeoutMs, repeating the value', async () => {
    await expect(withFileLock(join(dir, 'l.lock'), async () => 1, { timeoutMs: -5 })).rejects.toThrow(
      'timeoutMs must be a number >= 0, got -5',
    );
  });
});
