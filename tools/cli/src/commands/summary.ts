import { loadManifest } from '@imagefleet/manifest';
import { workspacePaths } from '@imagefleet/pipeline';
import { exitCodeOf, readRows, renderTable } from '@imagefleet/report';

export async function summaryCommand(manifestFile: string, opts: { json: boolean }): Promise<number> {
  const manifest = await loadManifest(manifestFile);
  const rows = await readRows(workspacePaths(manifest).logs);
  process.stdout.write(opts.json ? `${JSON.stringify(rows, null, 2)}\n` : `${renderTable(rows)}\n`);
  return Math.min(exitCodeOf(rows.map((r) => r.status)), 1);
}
