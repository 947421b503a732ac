/**
 * The environment variables that tie one run's tasks together. Nx tells a task nothing about
 * the invocation it belongs to, so the plugin's pre-tasks hook (or the `imagefleet run`
 * wrapper) sets these for every task of the run.
 */

/** The run every task's row belongs to. */
export const RUN_ID_ENV = 'IMAGEFLEET_RUN_ID';
/** Set by `imagefleet run`: it settles, records never-started rows and prints the table itself. */
export const WRAPPED_ENV = 'IMAGEFLEET_WRAPPED';
/**
 * The run's task server (libs/pipeline/src/task-server.ts): a file holding `<port> <token> <pid>`.
 * A `push` task that is not settled hands its work to that one warm process over loopback
 * instead of starting Node and loading the CLI itself (tools/cli/bin/imagefleet-task.sh).
 */
export const TASK_SERVER_ENV = 'IMAGEFLEET_TASK_SERVER';

const envSuffix = (service: string): string => service.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/**
 * Per service: the digest the pre-tasks hook verified in the registry this run (the service is
 * settled: tags pointed, row written), or '' while it is pending. A settled `push` task ends at
 * once, without Node (tools/cli/bin/imagefleet-task.sh reads it).
 */
export function settledEnvName(service: string): string {
  return `IMAGEFLEET_SETTLED_${envSuffix(service)}`;
}

/**
 * Per service: the one input of its `push` task's Nx hash that is not a file (see
 * nx-cache-keys.ts). A value unique to the run unless the pre-tasks hook verified the service's
 * image in the registry this very run, so Nx's cache can answer a `push` only then — what
 * makes a cache hit truthful (nrwl/nx#15116 is a hit without that).
 */
export function cacheKeyEnvName(service: string): string {
  return `IMAGEFLEET_CACHE_KEY_${envSuffix(service)}`;
}

/** Every service pending: not settled, and a cache key no other run can produce. */
export function pendingEnv(services: readonly string[], unique: string): Record<string, string> {
  return Object.fromEntries(services.flatMap((s) => [[settledEnvName(s), ''], [cacheKeyEnvName(s), freshCacheKey(unique)]]));
}

/** A cache key of the run `unique`: no earlier run's cached `push` can match it. */
export const freshCacheKey = (unique: string): string => `run-${unique}`;

/** The digest a settled service's variable holds; null while pending (or never set). */
export function settledDigest(env: NodeJS.ProcessEnv, service: string): string | null {
  const value = env[settledEnvName(service)];
  return value?.startsWith('sha256:') ? value : null;
}
