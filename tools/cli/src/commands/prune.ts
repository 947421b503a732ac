/**
 * `imagefleet prune [--dry-run] [--values FILE --path image.ref] [--projects a,b]`: registry
 * retention. One line per deleted and kept manifest, then garbage collection and a total.
 * Non-zero when a kept image fails verification, a delete fails, or garbage collection fails.
 */
import { loadManifest } from '@imagefleet/manifest';
import { findService } from '@imagefleet/pipeline';
import { prune, pruneSummary } from '@imagefleet/prune';
import { gitopsKeeps } from '@imagefleet/gitops';

export async function pruneCommand(
  manifestFile: string,
  opts: { dryRun: boolean; values?: string | undefined; path: string; projects?: string[] | undefined },
): Promise<number> {
  const manifest = await loadManifest(manifestFile);
  const services = opts.projects?.length ? opts.projects.map((n) => findService(manifest, n)) : manifest.services;
  const report = await prune(manifest, {
    services,
    dryRun: opts.dryRun,
    env: process.env,
    gitops: gitopsKeeps(manifest),
    ...(opts.values !== undefined && { values: { file: opts.values, path: opts.path } }),
    say: (line) => process.stdout.write(`prune: ${line}\n`),
  });
  for (const m of report.manifests) {
    const tags = m.tags.length ? m.tags.join(',') : 'untagged';
    const line = `prune: ${m.repository}@${m.digest.slice(0, 19)} ${m.action.padEnd(6)} ${m.outcome}  [${tags}] ${m.reasons.join('; ')}\n`;
    (m.ok ? process.stdout : process.stderr).write(line);
  }
  process.stdout.write(`prune: garbage collection ${report.gc.status}: ${report.gc.detail}\n`);
  for (const line of pruneSummary(report, services.length, manifest.registry.pushHost))
    process.stdout.write(`prune: ${line}\n`);
  return report.ok ? 0 : 1;
}
