/**
 * The key each service's `push` task is hashed under by Nx (IMAGEFLEET_CACHE_KEY_<SERVICE>),
 * kept between runs in `artifacts/.imagefleet/nx-cache-keys.json`.
 *
 * Nx caches a task under a hash computed before the task runs. A run that has to build or check
 * a service gives it a key of its own; the next run that finds the service's image verified in
 * the registry hashes it under that same key again, so Nx replays the task from its cache
 * instead of starting it — from the first re-run on, not only the second. Truthful because an
 * old key is reused only for a service whose image this run has just verified (every manifest
 * and blob); every other service gets a fresh key that no cache entry can match: a registry that
 * lost the image, a failed build, a service the hook did not check.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@imagefleet/report';
import { freshCacheKey } from './run-env.js';

export const cacheKeysFile = (stateDir: string): string => join(stateDir, 'nx-cache-keys.json');

/**
 * The keys of `services` for the run `runId`: a verified service keeps the key it had (or gets
 * this run's), any other gets this run's. Records them for the next run.
 */
export async function assignCacheKeys(file: string, runId: string, services: { name: string; verified: boolean }[]): Promise<Record<string, string>> {
  let known: Record<string, string> = {};
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) known = parsed as Record<string, string>;
  } catch {
    // none yet, or unreadable: every service starts fresh, which only costs cache hits
  }
  const assigned: Record<string, string> = {};
  for (const { name, verified } of services) {
    const previous = known[name];
    assigned[name] = verified && typeof previous === 'string' && previous ? previous : freshCacheKey(runId);
  }
  await writeFileAtomic(file, `${JSON.stringify({ ...known, ...assigned }, null, 2)}\n`);
  return assigned;
}
