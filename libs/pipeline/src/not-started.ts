/**
 * Rows for services a run covered but never started: skipped by Nx because an image they build
 * FROM failed, or pre-empted by an interrupt. They carry no start time, so they never replace a
 * row the service's own task wrote in the same run (libs/report enforces that under its lock).
 */
import { join, relative } from 'node:path';
import type { Manifest } from '@imagefleet/manifest';
import { readRows, recordRow, type SummaryRow } from '@imagefleet/report';
import { workspacePaths } from './paths.js';

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
      runId,
      service: name,
      image: `${manifest.registry.host}/${manifest.registry.namespace}/${name}:${tag}`,
      status: why.interrupted ? 'interrupted' : 'failed',
      phase: 'build',
      attempts: 0,
      buildSeconds: 0,
      pushSeconds: 0,
      verifySeconds: 0,
      digest: '',
      verify: '',
      log: relative(manifest.root, join(paths.logs, `${name}_${tag}.log`)),
      error: why.interrupted
        ? 'interrupted before it started'
        : why.detail ?? `not run: ${service.dependsOn.length ? `an image it builds FROM (${service.dependsOn.join(', ')}) failed` : 'nx did not run it'}`,
      startedAt: '',
      finishedAt: new Date().toISOString(),
    };
    await recordRow(paths.logs, row, { tag });
  }
}
