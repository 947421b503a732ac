/**
 * Where a run's images come from, read from git once per run: the commit, whether the work tree
 * has changes, the branch, the commit's time and the remote. Tag templates render from these
 * and the OCI labels carry them. `{timestamp}` is the commit's committer time, not the run's:
 * the same commit renders the same tags on every machine and every re-run, so a re-run of an
 * old commit never sorts above a newer one, and `flux check` can say what a commit's tag is.
 */
import { runCommand } from '@imagefleet/process';

export interface SourceFacts {
  /** The commit, 40 hex. */
  sha: string;
  /** The work tree (tracked or untracked files, not ignored ones) differs from the commit. */
  dirty: boolean;
  /** The checked-out branch, or '' when HEAD is detached. */
  branch: string;
  /** The commit's committer time, Unix seconds. */
  timestamp: string;
  /** `origin`'s URL without credentials, or ''. */
  url: string;
}

export type SourceRead = { ok: true; facts: SourceFacts } | { ok: false; reason: string };

async function git(root: string, args: string[]): Promise<{ ok: boolean; out: string; reason: string }> {
  const r = await runCommand('git', args, { cwd: root });
  return { ok: r.ok, out: r.stdout.trim(), reason: r.reason };
}

export async function readSource(root: string): Promise<SourceRead> {
  const head = await git(root, ['rev-parse', '--verify', '-q', 'HEAD']);
  if (!head.ok)
    return {
      ok: false,
      reason: `${root} is not a git work tree with a commit (git rev-parse HEAD: ${head.reason || 'no commit'})`,
    };
  const [status, branch, time, remote] = await Promise.all([
    git(root, ['status', '--porcelain']),
    git(root, ['symbolic-ref', '--short', '-q', 'HEAD']),
    git(root, ['show', '-s', '--format=%ct', 'HEAD']),
    git(root, ['remote', 'get-url', 'origin']),
  ]);
  return {
    ok: true,
    facts: {
      sha: head.out,
      dirty: !status.ok || status.out !== '',
      branch: branch.ok ? branch.out : '',
      timestamp: time.out,
      url: remote.ok ? withoutCredentials(remote.out) : '',
    },
  };
}

/** `https://user:token@host/repo.git` → `https://host/repo.git`; scp-style `git@host:repo` as it is. */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
}
