/**
 * A push run as a whole, handed to `RunOptions.onRunEnd` when it ends: its rows and, for each
 * service, the phases it went through on the run's time axis and the services of the run it
 * builds FROM. What the history keeps (`runs/<run-id>.json`, libs/review).
 */
import type { SummaryRow } from '@imagefleet/report';
import type { RunContext } from '../service/context.js';
import type { PhaseSpan } from './phases.js';

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

export function runRecord(run: RunContext, rows: readonly SummaryRow[]): RunRecord {
  const planned = new Set(rows.map((r) => r.service));
  const spans = run.phases.spans();
  const finished = run.phases.now();
  return {
    runId: run.runId,
    tag: run.manifest.services[0]?.tags[0] ?? 'dev',
    startedAt: new Date(run.phases.origin).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    wallSeconds: Math.round((finished - run.phases.origin) / 10) / 100,
    rows: [...rows],
    services: Object.fromEntries(
      run.manifest.services
        .filter((s) => planned.has(s.name))
        .map((s) => [s.name, { dependsOn: s.dependsOn.filter((d) => planned.has(d)), phases: spans[s.name] ?? [] }]),
    ),
  };
}
