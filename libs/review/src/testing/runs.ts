/** Runs for the specs: rows from the report's fixture, spans and times given per case. */
import type { SummaryRow } from '@imagefleet/report';
import type { PhaseSpan, RunRecord } from '../types.js';

export function row(over: Partial<SummaryRow> & { service: string }): SummaryRow {
  return {
    runId: 'run-2',
    image: `localhost:5001/ameide/${over.service}:dev`,
    status: 'pushed',
    phase: '',
    attempts: 1,
    buildSeconds: 10,
    pushSeconds: 2,
    verifySeconds: 0.5,
    digest: `sha256:${'a'.repeat(64)}`,
    verify: 'verified',
    log: `artifacts/image-build-logs/${over.service}_dev.log`,
    error: '',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:20.000Z',
    note: '',
    tags: '',
    cacheSteps: 5,
    cachedSteps: 0,
    ...over,
  };
}

export function run(
  runId: string,
  rows: SummaryRow[],
  services: Record<string, { dependsOn?: string[]; phases?: PhaseSpan[] }> = {},
  over: Partial<RunRecord> = {},
): RunRecord {
  return {
    runId,
    tag: 'dev',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:20.000Z',
    wallSeconds: 20,
    rows: rows.map((r) => ({ ...r, runId })),
    services: Object.fromEntries(
      rows.map((r) => [
        r.service,
        { dependsOn: services[r.service]?.dependsOn ?? [], phases: services[r.service]?.phases ?? [] },
      ]),
    ),
    ...over,
  };
}
