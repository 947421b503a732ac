import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** File path (posix, relative) → contents. A path ending in `/` makes an empty directory. */
export type Tree = Record<string, string>;

const made: string[] = [];

/**
 * A temp directory holding `tree`, after changesets' `testdir`. Call `removeTrees` in
 * `afterEach` to delete every directory made since the last call.
 *
 * @example makeTree({ 'services.manifest.yaml': '…', 'apps/a/Dockerfile': 'FROM x' })
 */
export function makeTree(tree: Tree): string {
  const root = mkdtempSync(path.join(tmpdir(), 'imagefleet-'));
  made.push(root);
  for (const [file, contents] of Object.entries(tree)) {
    const target = path.join(root, ...file.split('/'));
    if (file.endsWith('/')) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, contents);
  }
  return root;
}

export function removeTrees(): void {
  for (const root of made.splice(0)) rmSync(root, { recursive: true, force: true });
}
