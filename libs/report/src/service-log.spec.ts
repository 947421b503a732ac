import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openServiceLog } from './service-log.js';

const SECRET = 's3cr3t-T0ken';
const redact = (s: string) => s.split(SECRET).join('***');
const fixedNow = () => new Date('2025-01-02T03:04:05.000Z');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'service-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openServiceLog', () => {
  it('writes each line, time-stamped, to the .partial while running: readable at once', async () => {
    const log = openServiceLog({ dir, service: 'api', tag: 'dev', redact, now: fixedNow });
    expect(log.inProgressPath).toBe(join(dir, 'api_dev.log.partial'));
    expect(log.path).toBe(join(dir, 'api_dev.log'));
    log.phase('build', 'docker build');
    log.line('step 1/3\nstep 2/3\r\n');
    expect(readFileSync(log.inProgressPath, 'utf8')).toBe(
      '2025-01-02T03:04:05.000Z ==> build: docker build\n' +
        '2025-01-02T03:04:05.000Z step 1/3\n' +
        '2025-01-02T03:04:05.000Z step 2/3\n',
    );
    expect(existsSync(log.path)).toBe(false); // no half-written final log
    await log.close();
    expect(existsSync(log.inProgressPath)).toBe(false);
    expect(readFileSync(log.path, 'utf8')).toContain('step 2/3');
  });

  it('never lets a secret value reach the file', async () => {
    const log = openServiceLog({ dir, service: 'api', tag: 'dev', redact });
    log.line(`--build-arg TOKEN=${SECRET}`);
    log.line(`multi\nline ${SECRET}\n${SECRET}`);
    log.phase(`secrets ${SECRET}`, `loaded ${SECRET}`);
    expect(readFileSync(log.inProgressPath, 'utf8')).not.toContain(SECRET);
    await log.close();
    const text = readFileSync(log.path, 'utf8');
    expect(text).not.toContain(SECRET);
    expect(text).toContain('TOKEN=***');
  });

  it('keeps the previous log as .prev.log and publishes the new one', async () => {
    const first = openServiceLog({ dir, service: 'api', tag: 'dev', redact });
    first.line('run one');
    await first.close();
    const second = openServiceLog({ dir, service: 'api', tag: 'dev', redact });
    second.line('run two');
    // While the second run writes, readers still see the whole first log.
    expect(readFileSync(second.path, 'utf8')).toContain('run one');
    await second.close();
    expect(readFileSync(join(dir, 'api_dev.log'), 'utf8')).toMatch(/run two\n$/);
    expect(readFileSync(join(dir, 'api_dev.prev.log'), 'utf8')).toMatch(/run one\n$/);
    expect((await readdir(dir)).sort()).toEqual(['api_dev.log', 'api_dev.prev.log']);
  });

  it('starts a leftover .partial afresh, or continues it with append (build task, then push task)', async () => {
    await writeFile(join(dir, 'api_dev.log.partial'), 'left by a task that died\n');
    const build = openServiceLog({ dir, service: 'api', tag: 'dev', redact });
    build.line('built');
    await build.detach();
    expect(existsSync(build.path)).toBe(false);
    const push = openServiceLog({ dir, service: 'api', tag: 'dev', redact, append: true });
    push.line('pushed');
    await push.close();
    const lines = (await readFile(push.path, 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => l.replace(/^\S+ /, ''))).toEqual(['built', 'pushed']);
  });

  it('close is idempotent; writing after it throws, naming the log', async () => {
    const log = openServiceLog({ dir, service: 'api', tag: 'dev', redact });
    log.line('x');
    await Promise.all([log.close(), log.close()]);
    await log.close();
    await log.detach();
    expect(() => log.line('late')).toThrow(`service log ${log.path} is closed`);
  });

  it.each([
    ['service', { service: '../api', tag: 'dev' }, 'got "../api"'],
    ['tag', { service: 'api', tag: 'a/b' }, 'got "a/b"'],
  ])('rejects a %s that would escape the directory', (_, names, message) => {
    expect(() => openServiceLog({ dir, redact, ...names })).toThrow(message);
  });

  it('writes the log, its .partial and the .prev.log owner-only (0600), also over 0644 files of an older run', async () => {
    const mode = async (name: string) => (await stat(join(dir, name))).mode & 0o777;
    await writeFile(join(dir, 'api_dev.log'), 'an older run\n', { mode: 0o644 });
    await writeFile(join(dir, 'api_dev.log.partial'), 'a task that died\n', { mode: 0o644 });
    const log = openServiceLog({ dir, service: 'api', tag: 'dev', redact, append: true });
    log.line('a RUN printed something');
    expect(await mode('api_dev.log.partial')).toBe(0o600);
    await log.close();
    expect(await mode('api_dev.log')).toBe(0o600);
    expect(await mode('api_dev.prev.log')).toBe(0o600);
    const fresh = openServiceLog({ dir: join(dir, 'new'), service: 'api', tag: 'dev', redact });
    expect((await stat(fresh.inProgressPath)).mode & 0o777).toBe(0o600);
    await fresh.close();
    expect((await stat(fresh.path)).mode & 0o777).toBe(0o600);
  });
});
