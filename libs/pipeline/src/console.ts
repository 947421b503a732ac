/**
 * The terminal side of a task: one short line per phase per service, with elapsed time and
 * attempt, prefixed so interleaved parallel output stays readable. Details go to the log file.
 * A task run by the task server (libs/pipeline/src/task-server.ts) says its lines to its own client:
 * `withTerminal` routes every `say` inside it, across awaits.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const terminal = new AsyncLocalStorage<(line: string) => void>();

export function say(service: string, text: string): void {
  const line = `[${service}] ${text}\n`;
  const write = terminal.getStore();
  if (write) write(line);
  else process.stdout.write(line);
}

/** Run `fn` with every `say` inside it going to `write` instead of stdout. */
export function withTerminal<T>(write: (line: string) => void, fn: () => Promise<T>): Promise<T> {
  return terminal.run(write, fn);
}

export function seconds(ms: number): number {
  return Math.round(ms / 10) / 100;
}
