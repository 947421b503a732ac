import { ManifestError } from '@imagefleet/manifest';
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
    if (parent === dir) {
      // The same exit code (2) as a manifest that is there but wrong: the input is missing.
      throw new ManifestError([
        {
          file: join(process.cwd(), 'services.manifest.yaml'),
          line: 1,
          column: 1,
          path: '',
          message: 'no services.manifest.yaml in this directory or above: pass --manifest FILE',
        },
      ]);
    }
    dir = parent;
  }
}
