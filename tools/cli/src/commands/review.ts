/**
 * `imagefleet summary --runs | --against <run-id|path|previous> [--fail-on …] | --open`: the
 * history of runs, the latest against an earlier one, the timeline's path. A review, not a gate:
 * exit 0 unless `--fail-on` asks for one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifest } from '@imagefleet/manifest';
import { workspacePaths } from '@imagefleet/pipeline';
import {
  compareRuns,
  type FailOn,
  gateFailures,
  HISTORY_PAGE,
  listRuns,
  parseFailOn,
  renderComparisonTable,
  renderRunList,
  resolveRun,
  timelineFileName,
} from '@imagefleet/review';
import { UsageError } from '../usage-error.js';

export interface ReviewOptions {
  json: boolean;
  runs?: boolean | undefined;
  against?: string | undefined;
  failOn?: string | undefined;
  open?: boolean | undefined;
}

/** Whether the summary command is asked for a review rather than the latest table. */
export function wantsReview(opts: ReviewOptions): boolean {
  return Boolean(opts.runs || opts.against || opts.open || opts.failOn);
}

export async function reviewCommand(manifestFile: string, opts: ReviewOptions): Promise<number> {
  if (opts.failOn && !opts.against) throw new UsageError('--fail-on goes with --against <run-id|path|previous>');
  let failOn: FailOn | null = null;
  try {
    failOn = opts.failOn ? parseFailOn(opts.failOn) : null;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const manifest = await loadManifest(manifestFile);
  const logs = workspacePaths(manifest).logs;
  const out = (text: string) => process.stdout.write(`${text}\n`);

  if (opts.open) {
    const timeline = join(logs, timelineFileName(manifest.services[0]?.tags[0] ?? 'dev'));
    if (!existsSync(timeline)) {
      process.stderr.write(`no timeline yet: ${timeline} is written at the end of every push run\n`);
      return 1;
    }
    out(timeline);
    if (existsSync(join(logs, HISTORY_PAGE))) out(join(logs, HISTORY_PAGE));
  }
  if (opts.runs) {
    const runs = await listRuns(logs);
    out(
      opts.json
        ? JSON.stringify(
            runs.map(({ rows: _rows, services: _services, ...run }) => run),
            null,
            2,
          )
        : renderRunList(runs),
    );
  }
  if (!opts.against) return 0;
  const comparison = compareRuns(await resolveRun(logs, 'latest'), await resolveRun(logs, opts.against));
  out(opts.json ? JSON.stringify(comparison, null, 2) : renderComparisonTable(comparison));
  const failures = failOn ? gateFailures(comparison, failOn) : [];
  for (const reason of failures) process.stderr.write(`--fail-on ${opts.failOn}: ${reason}\n`);
  return failures.length ? 1 : 0;
}
