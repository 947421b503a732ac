/**
 * A run as the history keeps it (`artifacts/image-build-logs/runs/<run-id>.json`): its rows, and
 * for each service the phases it went through on the run's time axis. The rows alone are also
 * kept as `runs/<run-id>.csv`, the summary CSV's format; the spans need the JSON.
 */
import type { SummaryRow } from '@imagefleet/report';

/** What a service was doing: each a bar on the timeline. */
export type PhaseName = 'check' | 'build-wait' | 'build' | 'push-wait' | 'push' | 'retry-wait' | 'verify' | 'node-pull';

export const PHASE_NAMES: readonly PhaseName[] = [
  'check',
  'build-wait',
  'build',
  'push-wait',
  'push',
  'retry-wait',
  'verify',
  'node-pull',
];

export interface PhaseSpan {
  phase: PhaseName;
  /** Seconds from the run's start. */
  start: number;
  /** Seconds from the run's start, `>= start`. */
  end: number;
  /** Push attempt (1-based), for `push-wait`, `push` and `retry-wait`. */
  attempt?: number;
  /** How the span ended when not plainly: `stalled`, `failed: …`, `unfinished`. */
  note?: string;
}

export interface ServiceTimeline {
  /** The services of this run it builds FROM (for the critical path). */
  dependsOn: string[];
  phases: PhaseSpan[];
}

export interface RunRecord {
  runId: string;
  /** The image tag of the run (`dev`): which timeline file it draws. */
  tag: string;
  /** ISO 8601: the time axis' zero. */
  startedAt: string;
  /** ISO 8601. */
  finishedAt: string;
  wallSeconds: number;
  rows: SummaryRow[];
  services: Record<string, ServiceTimeline>;
}
