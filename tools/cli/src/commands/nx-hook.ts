/**
 * `imagefleet nx-hook pre|post`: what the Nx plugin's task-execution hooks run (see
 * libs/pipeline/src/nx-run.ts). `pre` prints the tasks' environment as one JSON line on stdout
 * (its progress goes to stderr); `post` records rows for tasks that never ran and prints the table.
 */
import { loadManifest } from '@imagefleet/manifest';
import { finishNxRun, startNxRun } from '@imagefleet/pipeline';
import { renderTable } from '@imagefleet/report';

export async function nxHookCommand(manifestFile: string, phase: string, opts: { hookId: string; nxArgs: string[]; pushTasks: string[] }): Promise<number> {
  const manifest = await loadManifest(manifestFile);
  if (phase === 'pre') {
    // stdout carries only the JSON line; each settled service's task says its own line.
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = (() => true) as typeof process.stdout.write;
    let env: Record<string, string>;
    try {
      env = await startNxRun(manifest, opts.nxArgs, { hookId: opts.hookId, env: process.env });
    } finally {
      process.stdout.write = write;
    }
    process.stdout.write(`${JSON.stringify(env)}\n`);
    return 0;
  }
  if (phase === 'post') {
    const rows = await finishNxRun(manifest, opts.pushTasks, { hookId: opts.hookId });
    if (rows?.length) process.stdout.write(`\n${renderTable(rows)}\n`);
    return rows && rows.some((r) => r.status !== 'pushed' && r.status !== 'unchanged') ? 1 : 0;
  }
  throw new Error(`nx-hook: unknown phase "${phase}" (pre or post)`);
}
