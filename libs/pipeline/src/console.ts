/**
 * The terminal side of a task: one short line per phase per service, with elapsed time and
 * attempt, prefixed so interleaved parallel output stays readable. Details go to the log file.
 */
export function say(service: string, text: string): void {
  process.stdout.write(`[${service}] ${text}\n`);
}

export function seconds(ms: number): number {
  return Math.round(ms / 10) / 100;
}
