import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** `--manifest` as given, else the nearest services.manifest.yaml from the current directory up. */
export function resolveManifestPath(given: string | undefined): string {
  if (given) return resolve(given);
  let dir = process.cwd();
  for (;;) {
    const candidate = join(dir, 'services.manifest.yaml');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('no services.manifest.yaml in this directory or above: pass --manifest FILE');
    dir = parent;
  }
}
