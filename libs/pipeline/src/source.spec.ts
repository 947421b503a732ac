import { afterEach, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { readSource, withoutCredentials } from './source.js';

describe('withoutCredentials', () => {
  test.each([
    ['https://oauth2:glpat-secret@git.example.com/team/app.git', 'https://git.example.com/team/app.git'],
    ['https://user@git.example.com/app', 'https://git.example.com/app'],
    ['ssh://git@git.example.com:2222/app.git', 'ssh://git.example.com:2222/app.git'],
    ['git@github.com:org/app.git', 'git@github.com:org/app.git'],
    ['https://git.example.com/app', 'https://git.example.com/app'],
  ])('%s → %s', (url, clean) => expect(withoutCredentials(url)).toBe(clean));
});

describe('readSource: a real git repository', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const repo = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imagefleet-source-'));
    dirs.push(dir);
    const git = (...args: string[]) =>
      execa('git', args, {
        cwd: dir,
        env: { GIT_COMMITTER_DATE: '@1700000100 +0000', GIT_AUTHOR_DATE: '@1700000000 +0000' },
      });
    await git('init', '-q', '-b', 'feature/x');
    writeFileSync(join(dir, 'a.txt'), 'a\n');
    await git('add', '-A');
    await git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'one');
    await git('remote', 'add', 'origin', 'https://bot:s3cret-token@git.example.com/app.git');
    return { dir, git };
  };

  test('commit, branch, committer time, remote without credentials; clean', async () => {
    const { dir, git } = await repo();
    const sha = (await git('rev-parse', 'HEAD')).stdout;
    expect(await readSource(dir)).toEqual({
      ok: true,
      facts: {
        sha,
        dirty: false,
        branch: 'feature/x',
        timestamp: '1700000100',
        url: 'https://git.example.com/app.git',
      },
    });
  });

  test('an untracked file makes it dirty; a detached HEAD has no branch', async () => {
    const { dir, git } = await repo();
    writeFileSync(join(dir, 'new.txt'), 'n\n');
    await git('checkout', '-q', '--detach');
    expect(await readSource(dir)).toMatchObject({ ok: true, facts: { dirty: true, branch: '' } });
  });

  test('not a repository: says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imagefleet-source-'));
    dirs.push(dir);
    expect(await readSource(dir)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('is not a git work tree'),
    });
  });
});
