/**
 * The end of a push run: its history, timeline, trend and comparison (libs/review). The rows are
 * already recorded; a review that cannot be written is said, not a failed run.
 */
import { relative } from 'node:path';
import type { Manifest } from '@imagefleet/manifest';
import { workspacePaths, type RunRecord } from '@imagefleet/pipeline';
import { writeRunReview } from '@imagefleet/review';

export async function writeReview(
  manifest: Manifest,
  run: RunRecord,
  say: (service: string, text: string) => void,
): Promise<void> {
  try {
    const files = await writeRunReview(workspacePaths(manifest).logs, run, manifest.summary.keepRuns);
    say('review', `timeline: ${relative(manifest.root, files.timeline)}`);
  } catch (error) {
    say('review', `could not write the run's history and timeline: ${(error as Error).message}`);
  }
}
