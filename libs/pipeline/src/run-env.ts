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
 * The run's task server (tools/cli/src/task-server.ts): a file holding `<port> <token> <pid>`.
 * A `push` task that is not settled hands its work to that one warm process over loopback
 * instead of starting Node and loading the CLI itself (tools/cli/bin/imagefleet-task.sh).
 */
export const TASK_SERVER_ENV = 'IMAGEFLEET_TASK_SERVER';

/**
 * Per service: the digest the pre-tasks hook verified in the registry this run (the service is
 * settled: tags pointed, row written), or `pending-<unique>` otherwise. Its `push` task ends at
 * once when settled (tools/cli/bin/imagefleet-task.sh reads it, without Node), and it is an input
 * of that task's Nx hash, so Nx's cache can answer a `push` only when this very run found that
 * image complete in the registry — what makes a cache hit truthful (nrwl/nx#15116 is a hit
 * without that); a task that had work to do never matches again.
 */
export function settledEnvName(service: string): string {
  return `IMAGEFLEET_SETTLED_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Every service pending, with a value no other run can produce. */
export function pendingEnv(services: readonly string[], unique: string): Record<string, string> {
  return Object.fromEntries(services.map((s) => [settledEnvName(s), `pending-${unique}`]));
}

/** The digest a settled service's variable holds; null while pending (or never set). */
export function settledDigest(env: NodeJS.ProcessEnv, service: string): string | null {
  const value = env[settledEnvName(service)];
  return value?.startsWith('sha256:') ? value : null;
}
