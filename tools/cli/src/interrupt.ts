/**
 * Ctrl-C / SIGTERM: the first signal aborts the run's signal — running children's process
 * groups are killed and each task records an `interrupted` row before exiting; a second signal
 * kills what is left at once.
 */
import { killAllGroups } from '@imagefleet/process';

export function createInterruptSignal(): AbortSignal {
  const controller = new AbortController();
  let count = 0;
  const onSignal = (name: NodeJS.Signals) => {
    count += 1;
    if (count === 1) {
      controller.abort(new Error(`interrupted by ${name}`));
      process.exitCode = 130;
      return;
    }
    void killAllGroups(500).finally(() => process.exit(130));
  };
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(name, onSignal);
  return controller.signal;
}
