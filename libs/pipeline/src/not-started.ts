/**
 * Rows for services a run covered but never started: skipped by Nx because an image they build
 * FROM failed, or pre-empted by an interrupt. They carry no start time, so they never replace a
 * row the service's own task wrote in the same run (libs/report enforces that under its lock).
 */
import type { Manifest } from '@imagefleet/manifest';
import { readRows, recordRow, type SummaryRow } from '@imagefleet/report';
import { workspacePaths } from './paths.js';
import { emptyRow } from './rows.js';

export async function recordNotStarted(
  manifest: Manifest,
  runId: string,
  names: string[],
  why: { interrupted: boolean; detail?: string },
): Promise<void> {
  const paths = workspacePaths(manifest);
  const have = new Set((await readRows(paths.logs, { runId })).map((r) => r.service));
  for (const name of names) {
    if (have.has(name)) continue;
    const service = manifest.services.find((s) => s.name === name);
    if (!service) continue;
    const tag = service.tags[0]!;
    const row: SummaryRow = {
      ...emptyRow(manifest, service, runId, ''),
      status: why.interrupted ? 'interrupted' : 'failed',
      phase: 'build',
      error: why.interrupted
        ? 'interrupted before it started'
        : why.detail ?? `not run: ${service.dependsOn.length ? `an image it builds FROM (${service.dependsOn.join(', ')}) failed` : 'nx did not run it'}`,
      finishedAt: new Date().toISOString(),
    };
    await recordRow(paths.logs, row, { tag });
  }
}
