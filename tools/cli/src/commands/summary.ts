import { loadManifest } from '@imagefleet/manifest';
import { workspacePaths } from '@imagefleet/pipeline';
import { exitCodeOf, readRows, renderTable } from '@imagefleet/report';
import { reviewCommand, wantsReview, type ReviewOptions } from './review.js';

export async function summaryCommand(manifestFile: string, opts: ReviewOptions): Promise<number> {
  if (wantsReview(opts)) return reviewCommand(manifestFile, opts);
  const manifest = await loadManifest(manifestFile);
  const rows = await readRows(workspacePaths(manifest).logs);
  process.stdout.write(opts.json ? `${JSON.stringify(rows, null, 2)}\n` : `${renderTable(rows)}\n`);
  return Math.min(exitCodeOf(rows.map((r) => r.status)), 1);
}
