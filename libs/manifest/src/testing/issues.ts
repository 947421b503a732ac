import path from 'node:path';
import { ManifestError } from '../errors.js';
import { loadManifest } from '../load.js';
import { makeTree, type Tree } from './tmpdir.js';

/** YAML from one string per line, so a test can say "line 7" and be checked by counting. */
export function lines(...text: string[]): string {
  return `${text.join('\n')}\n`;
}

/** A registry section that passes every rule (lines 1–3). */
export const REGISTRY = ['registry:', '  host: registry.example.com:5000', '  namespace: ameide'];

/**
 * Load the tree's `services.manifest.yaml` (in `dir` of it, after `prepare` ran on the tree's
 * root) and return its issues as `line:column path: message`, in the order reported. Fails the
 * test if the manifest loads.
 */
export async function issuesFor(tree: Tree, dir = '.', prepare?: (root: string) => void): Promise<string[]> {
  const root = makeTree(tree);
  prepare?.(root);
  try {
    await loadManifest(path.join(root, dir, 'services.manifest.yaml'));
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error;
    return error.issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`);
  }
  throw new Error('expected the manifest to be rejected, but it loaded');
}
