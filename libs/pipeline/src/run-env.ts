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
 * Services the pre-tasks hook found unchanged and verified in the registry, their tags already
 * pointed at the digest and their rows written: ` svc=sha256:… svc2=sha256:… `. The `push` task
 * of such a service ends at once (tools/cli/bin/imagefleet-task.sh reads this, without Node).
 */
export const SETTLED_ENV = 'IMAGEFLEET_SETTLED';

/**
 * The run's task server (tools/cli/src/task-server.ts): a file holding `<port> <token> <pid>`.
 * A `push` task that is not settled hands its work to that one warm process over loopback
 * instead of starting Node and loading the CLI itself (tools/cli/bin/imagefleet-task.sh).
 */
export const TASK_SERVER_ENV = 'IMAGEFLEET_TASK_SERVER';

/**
 * Per service, an input of its `push` task's Nx hash: the digest the pre-tasks hook verified in the
 * registry this run, or `pending-<unique>` otherwise. So Nx's cache can answer a `push` only when
 * this very run found that image complete in the registry — what makes a cache hit truthful
 * (nrwl/nx#15116 is a hit without that); a task that had work to do never matches again.
 */
export function settledEnvName(service: string): string {
  return `IMAGEFLEET_SETTLED_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Every service pending, with a value no other run can produce. */
export function pendingEnv(services: readonly string[], unique: string): Record<string, string> {
  return Object.fromEntries(services.map((s) => [settledEnvName(s), `pending-${unique}`]));
}

export function encodeSettled(settled: ReadonlyMap<string, string>): string {
  return [...settled].map(([service, digest]) => `${service}=${digest}`).join(' ');
}

export function decodeSettled(value: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of (value ?? '').split(' ')) {
    const at = entry.indexOf('=');
    if (at > 0) out.set(entry.slice(0, at), entry.slice(at + 1));
  }
  return out;
}
