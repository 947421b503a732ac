import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFakeClock } from './clock.js';
import { runCommand } from './run.js';
import { createRedactor } from './redact.js';

const workspaceRoot = fileURLToPath(new URL('../../..', import.meta.url));
const worker = fileURLToPath(new URL('./fixtures/run-worker.ts', import.meta.url));

/** Poll `check` every 20 ms until it holds or `ms` pass; returns whether it held. */
async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((res) => setTimeout(res, 20));
  }
  return true;
}

/** Alive and not a zombie (PID 1 in a container may not reap orphans). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('runCommand', () => {
  it('streams lines, redacted, and reports success', async () => {
    const lines: string[] = [];
    const r = await runCommand('sh', ['-c', 'echo "one s3cr3t-value"; echo two >&2; printf "a\\rb\\n"'], {
      redact: createRedactor(['s3cr3t-value']),
      onLine: (l) => lines.push(l),
    });
    expect(r.ok).toBe(true);
    expect(r.exitCode).toBe(0);
    expect(lines).toEqual(expect.arrayContaining(['one ***', 'two', 'a', 'b']));
    expect(r.stdout).not.toContain('s3cr3t');
  });

  it('passes secrets through the environment, never the command line', async () => {
    const r = await runCommand('sh', ['-c', 'test "$TOKEN" = abcdef && echo ok'], {
      env: { TOKEN: 'abcdef' },
      redact: createRedactor(['abcdef']),
    });
    expect(r.ok).toBe(true);
    expect(r.command).not.toContain('abcdef');
  });

  it('gives the last stderr line as the reason of a failure', async () => {
    const r = await runCommand('sh', ['-c', 'echo progress; echo "error: boom" >&2; exit 3']);
    expect(r.ok).toBe(false);
    expect(r.exitCode).toBe(3);
    expect(r.reason).toBe('error: boom');
  });

  it('says when the command does not exist', async () => {
    const r = await runCommand('/nonexistent/docker', ['version']);
    expect(r.ok).toBe(false);
    expect(r.reason).toContain('command not found');
  });

  it('kills a silent process group exactly stallMs after its last line, grandchildren included', async () => {
    const clock = createFakeClock();
    const pidFile = join(mkdtempSync(join(tmpdir(), 'run-stall-')), 'pid');
    let lines = 0;
    const running = runCommand('sh', ['-c', `sleep 30 & echo $! > ${pidFile}; echo started; wait`], {
      stallMs: 2000,
      clock,
      onLine: () => lines++,
    });
    await waitFor(() => lines > 0, 10_000);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await clock.advance(1999);
    expect(alive(grandchild)).toBe(true);
    await clock.advance(1);
    const r = await running;
    expect(r).toMatchObject({
      stalled: true,
      ok: false,
      durationMs: 2000,
      reason: 'no output for 2 s: stalled, killed',
    });
    expect(await waitFor(() => !alive(grandchild), 10_000)).toBe(true);
    rmSync(dirname(pidFile), { recursive: true, force: true });
  });

  it('output keeps the stall watch from firing', async () => {
    const r = await runCommand('sh', ['-c', 'for i in 1 2 3 4 5 6; do echo $i; sleep 0.2; done'], { stallMs: 700 });
    expect(r.ok).toBe(true);
  });

  it('times out exactly timeoutMs after the start, output or not', async () => {
    const clock = createFakeClock();
    let lines = 0;
    const running = runCommand('sh', ['-c', 'while true; do echo x; sleep 0.05; done'], {
      timeoutMs: 400,
      clock,
      onLine: () => lines++,
    });
    await waitFor(() => lines > 0, 10_000);
    await clock.advance(400);
    const r = await running;
    expect(r).toMatchObject({ timedOut: true, durationMs: 400 });
    expect(r.reason).toMatch(/timed out/);
  });

  it('stops on abort', async () => {
    const ac = new AbortController();
    const r = runCommand('sh', ['-c', 'echo started; exec sleep 20'], {
      signal: ac.signal,
      onLine: () => ac.abort(),
    });
    expect(await r).toMatchObject({ aborted: true, reason: 'interrupted' });
  });
});

describe('runCommand: parse raw, redact for display', () => {
  const digest = `sha256:${'ab'.repeat(32)}`;

  it('hands parsers the raw line while logs get the redacted one (a secret "a" cannot break a digest)', async () => {
    const raw: string[] = [];
    const shown: string[] = [];
    const r = await runCommand('sh', ['-c', `echo "dev: digest: ${digest} size: 528"`], {
      redact: createRedactor(['a']),
      onRawLine: (line) => raw.push(line),
      onLine: (line) => shown.push(line),
      keepRaw: true,
    });
    expect(r.ok).toBe(true);
    expect(raw).toEqual([`dev: digest: ${digest} size: 528`]);
    expect(r.raw).toEqual({ stdout: `dev: digest: ${digest} size: 528`, stderr: '' });
    expect(shown[0]).not.toContain('sha256');
    expect(r.stdout).toBe(shown[0]);
  });

  it('returns no raw output unless asked', async () => {
    const r = await runCommand('sh', ['-c', 'echo hunter22'], { redact: createRedactor(['hunter22']) });
    expect(r.raw).toBeUndefined();
    expect(JSON.stringify(r)).not.toContain('hunter22');
  });
});

describe('runCommand: children die with their parent', () => {
  it.runIf(existsSync('/usr/bin/setpriv'))('kill -9 of the parent process kills the child it started', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pdeath-'));
    const pidFile = join(dir, 'sleep.pid');
    const parent = spawn(process.execPath, ['--import', 'tsx', worker, 'sleep', pidFile], {
      cwd: workspaceRoot,
      stdio: 'ignore',
    });
    try {
      expect(await waitFor(() => existsSync(pidFile), 15_000)).toBe(true);
      const sleepPid = Number(readFileSync(pidFile, 'utf8'));
      expect(alive(sleepPid)).toBe(true);
      parent.kill('SIGKILL');
      expect(await waitFor(() => !alive(sleepPid), 5_000)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
      if (existsSync(pidFile)) {
        try {
          process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
        } catch {
          /* gone, as it should be */
        }
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('can be turned off, and still names a missing program', async () => {
    expect((await runCommand('/nonexistent/docker', ['version'], { dieWithParent: false })).reason).toBe(
      '/nonexistent/docker: command not found',
    );
    expect((await runCommand('/nonexistent/docker', ['version'])).reason).toBe(
      '/nonexistent/docker: command not found',
    );
  });
});

describe('createRedactor', () => {
  it.each([
    ['plain', 'token=hunter22', 'token=***'],
    ['url-encoded', 'x=a%2Fb%3Dc', 'x=***'],
    ['base64', `auth ${Buffer.from('longer-secret').toString('base64')}`, 'auth ***'],
    ['twice', 'a/b=c a/b=c', '*** ***'],
  ])('masks %s', (_name, input, expected) => {
    const redact = createRedactor(['hunter22', 'a/b=c', 'longer-secret']);
    expect(redact(input)).toBe(expected);
  });

  it('is the identity with no secrets', () => {
    expect(createRedactor([])('a b')).toBe('a b');
  });
});
