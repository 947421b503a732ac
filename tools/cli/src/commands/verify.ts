/** `imagefleet verify [service...]`: the registry check of every manifest and blob, no build. */
import { loadManifest } from '@imagefleet/manifest';
import { findService, verifyServices, type ServiceCheck } from '@imagefleet/pipeline';

export async function verifyCommand(manifestFile: string, names: string[], opts: { json: boolean }): Promise<number> {
  const manifest = await loadManifest(manifestFile);
  const services = names.length ? names.map((n) => findService(manifest, n).name) : manifest.services.map((s) => s.name);
  const results: ServiceCheck[] = [];
  for await (const check of verifyServices(manifest, services, { env: process.env })) results.push(check);
  if (opts.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else {
    const header = ['service', 'status', 'digest', 'detail'];
    const rows = results.map((r) => [r.service, r.status, r.digest.slice(0, 19), r.detail]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const fmt = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
    process.stdout.write(`${[fmt(header), ...rows.map(fmt)].join('\n')}\n`);
    const bad = results.filter((r) => r.status !== 'verified').length;
    process.stdout.write(`${results.length} image(s): ${results.length - bad} verified, ${bad} with gaps\n`);
  }
  return results.every((r) => r.status === 'verified') ? 0 : 1;
}
