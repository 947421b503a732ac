/**
 * The end of a push run: its rows and phase spans into the history, and the timeline, trend and
 * comparison pages (libs/review). The rows are already recorded; a review that cannot be written
 * is said, not a failed run.
 */
import { relative } from 'node:path';
import { writeRunReview, type RunRecord } from '@imagefleet/review';
import type { SummaryRow } from '@imagefleet/report';
import type { RunContext } from '../service/context.js';

export async function writeReview(run: RunContext, rows: readonly SummaryRow[]): Promise<void> {
  const planned = new Set(rows.map((r) => r.service));
  const spans = run.phases.spans();
  const finished = run.phases.now();
  const record: RunRecord = {
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
  try {
    const files = await writeRunReview(run.paths.logs, record, run.manifest.summary.keepRuns);
    run.say('review', `timeline: ${relative(run.manifest.root, files.timeline)}`);
  } catch (error) {
    run.say('review', `could not write the run's history and timeline: ${(error as Error).message}`);
  }
}
