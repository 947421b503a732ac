import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runCommand } from './run.js';
import { createRedactor } from './redact.js';

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

  it('kills a silent process group on stall, grandchildren included', async () => {
    const pidFile = `/tmp/imagefleet-stall-${process.pid}`;
    const started = Date.now();
    const r = await runCommand('sh', ['-c', `sleep 30 & echo $! > ${pidFile}; echo started; wait`], { stallMs: 500 });
    expect(r.stalled).toBe(true);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/stalled/);
    expect(Date.now() - started).toBeLessThan(5000);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 200));
    expect(alive(grandchild)).toBe(false);
  });

  it('output keeps the stall watch from firing', async () => {
    const r = await runCommand('sh', ['-c', 'for i in 1 2 3 4 5 6; do echo $i; sleep 0.2; done'], { stallMs: 700 });
    expect(r.ok).toBe(true);
  });

  it('times out', async () => {
    const r = await runCommand('sh', ['-c', 'while true; do echo x; sleep 0.1; done'], { timeoutMs: 400 });
    expect(r.timedOut).toBe(true);
    expect(r.reason).toMatch(/timed out/);
  });

  it('stops on abort', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const r = await runCommand('sleep', ['20'], { signal: ac.signal });
    expect(r.aborted).toBe(true);
    expect(r.reason).toBe('interrupted');
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
