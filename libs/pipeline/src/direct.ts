/**
 * The same tasks as the Nx targets, run in this one process: each service's `image` then
 * `push`, after the pushes of the images it builds FROM, builds bounded by `parallel` (p-limit)
 * and pushes by the cross-process push slots. For a fleet of small services the cost of a
 * process per task (two per service under Nx, ~0.4 s each) is most of a run; here it is paid
 * once. Rows for services skipped because a base failed are the caller's (recordNotStarted).
 */
import pLimit from 'p-limit';
import type { Manifest } from '@imagefleet/manifest';
import { serviceContext } from './context.js';
import { runImageTask, runPushTask } from './task.js';

export async function runServicesDirect(
  manifest: Manifest,
  names: string[],
  opts: { runId: string; parallel: number; signal: AbortSignal; env: NodeJS.ProcessEnv },
): Promise<boolean> {
  const planned = new Set(names);
  const buildSlots = pLimit(Math.max(1, opts.parallel));
  const outcomes = new Map<string, Promise<boolean>>();

  const run = (name: string): Promise<boolean> => {
    let outcome = outcomes.get(name);
    if (!outcome) {
      outcome = (async () => {
        const service = manifest.services.find((s) => s.name === name)!;
        const bases = await Promise.all(service.dependsOn.filter((d) => planned.has(d)).map(run));
        if (!bases.every(Boolean) || opts.signal.aborted) return false;
        const ctx = serviceContext(manifest, service, { env: opts.env, runId: opts.runId, signal: opts.signal });
        const image = await buildSlots(() => (opts.signal.aborted ? { ok: false, row: null } : runImageTask(ctx)));
        if (!image.ok || opts.signal.aborted) return false;
        return (await runPushTask(ctx)).ok;
      })();
      outcomes.set(name, outcome);
    }
    return outcome;
  };

  const results = await Promise.all(names.map(run));
  return results.every(Boolean);
}
