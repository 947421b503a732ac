import { loadManifest } from '@imagefleet/manifest';
import { workspacePaths } from '@imagefleet/pipeline';
import { readRows, renderTable } from '@imagefleet/report';

export async function summaryCommand(manifestFile: string, opts: { json: boolean }): Promise<number> {
  const manifest = await loadManifest(manifestFile);
  const rows = await readRows(workspacePaths(manifest).logs);
  process.stdout.write(opts.json ? `${JSON.stringify(rows, null, 2)}\n` : `${renderTable(rows)}\n`);
  return rows.every((r) => r.status === 'pushed' || r.status === 'unchanged') ? 0 : 1;
}
