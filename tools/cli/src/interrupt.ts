/**
 * Ctrl-C / SIGTERM: the first signal aborts the run's signal — running children's process
 * groups are killed and each task records an `interrupted` row before exiting; a second signal
 * kills what is left at once. A terminal's Ctrl-C reaches a task twice (directly, as part of the
 * foreground process group, and again forwarded by Nx), so signals within a short window count
 * as one.
 */
const SAME_INTERRUPT_MS = 3000;
import { killAllGroups } from '@imagefleet/process';

export function createInterruptSignal(): AbortSignal {
  const controller = new AbortController();
  let first = 0;
  const onSignal = (name: NodeJS.Signals) => {
    if (!first) {
      first = Date.now();
      controller.abort(new Error(`interrupted by ${name}`));
      process.exitCode = 130;
      return;
    }
    if (Date.now() - first < SAME_INTERRUPT_MS) return;
    void killAllGroups(500).finally(() => process.exit(130));
  };
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(name, onSignal);
  return controller.signal;
}
