/**
 * What changed since a base revision, as `nx affected` sees it: committed changes since the
 * merge base, plus (without --head) uncommitted and untracked files. Paths come back relative
 * to the workspace root.
 */
import { relative, join } from 'node:path';
import { runCommand } from '@imagefleet/process';

export interface GitChanges {
  files: string[];
  /** The manifest's text at the merge base ('' when it did not exist there). */
  manifestBefore: string;
}

async function git(root: string, args: string[], allowFailure = false): Promise<string> {
  const r = await runCommand('git', args, { cwd: root });
  if (!r.ok && !allowFailure) throw new Error(`git ${args.join(' ')} failed: ${r.reason}`);
  return r.ok ? r.stdout : '';
}

export async function gitChanges(root: string, manifestFile: string, base: string, head?: string): Promise<GitChanges> {
  const top = (await git(root, ['rev-parse', '--show-toplevel'])).trim();
  const mergeBase = (await git(root, ['merge-base', base, head ?? 'HEAD'])).trim();
  const lists = [await git(root, ['diff', '--name-only', '--no-renames', mergeBase, ...(head ? [head] : [])])];
  if (!head) lists.push(await git(root, ['ls-files', '--others', '--exclude-standard', '--full-name']));
  const files = [...new Set(lists.join('\n').split('\n').filter(Boolean))]
    .map((f) => relative(root, join(top, f)).split('\\').join('/'))
    .filter((f) => !f.startsWith('..'));
  const manifestInRepo = relative(top, manifestFile).split('\\').join('/');
  const manifestBefore = await git(root, ['show', `${mergeBase}:${manifestInRepo}`], true);
  return { files, manifestBefore };
}
