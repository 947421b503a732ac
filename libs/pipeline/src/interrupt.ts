/**
 * Ctrl-C / SIGTERM / SIGHUP for the length of one run: the first signal aborts the run's signal —
 * running children's process groups are killed and every service records its row (`interrupted`
 * for what was running or never started); a later signal kills what is left at once. A
 * terminal's Ctrl-C reaches this process twice (directly, as part of the foreground process
 * group, and again forwarded by Nx), so signals within a short window count as one.
 */
import { killAllGroups } from '@imagefleet/process';

const SAME_INTERRUPT_MS = 3000;

export interface RunInterrupt {
  signal: AbortSignal;
  /** Stop listening (the run is over). */
  dispose(): void;
}

export function listenForInterrupt(): RunInterrupt {
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
  const names = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const name of names) process.on(name, onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const name of names) process.off(name, onSignal);
    },
  };
}
