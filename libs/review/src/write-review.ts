/**
 * What the end of every run writes beside the summary: its history files (then the oldest beyond
 * `keepRuns` are dropped), `timeline-<tag>.html`, `history.html` over the kept runs and
 * `review-<tag>.md`, the comparison against the run before (for CI job summaries).
 */
import { join } from 'node:path';
import { writeFileAtomic } from '@imagefleet/report';
import { compareRuns } from './compare.js';
import { HISTORY_PAGE, reviewMarkdownFileName, timelineFileName } from './file-names.js';
import { recordRun } from './history.js';
import { renderComparisonMarkdown } from './render-comparison.js';
import { renderTimeline } from './render-timeline.js';
import { renderTrend } from './render-trend.js';
import type { RunRecord } from './types.js';

export interface RunReviewFiles {
  timeline: string;
  history: string;
  /** `''` when there is no earlier run to compare with. */
  review: string;
}

export async function writeRunReview(logsDir: string, run: RunRecord, keepRuns: number): Promise<RunReviewFiles> {
  const { runs } = await recordRun(logsDir, run, keepRuns);
  const files: RunReviewFiles = {
    timeline: join(logsDir, timelineFileName(run.tag)),
    history: join(logsDir, HISTORY_PAGE),
    review: '',
  };
  const previous = runs.filter((r) => r.runId !== run.runId && r.tag === run.tag).at(-1);
  if (previous) files.review = join(logsDir, reviewMarkdownFileName(run.tag));
  await Promise.all([
    writeFileAtomic(files.timeline, renderTimeline(run)),
    writeFileAtomic(files.history, renderTrend(runs)),
    previous ? writeFileAtomic(files.review, renderComparisonMarkdown(compareRuns(run, previous))) : null,
  ]);
  return files;
}
