/**
 * `imagefleet verify [service...] [--as-node DIR]`: the registry check of every manifest and
 * blob, no build; with --as-node, each verified digest is also pulled by its reference name
 * through containerd with DIR's hosts.toml, as a node does (column `node`).
 */
import { loadManifest } from '@imagefleet/manifest';
import {
  findService,
  pullVerifiedAsNode,
  verifyServices,
  type NodeCheck,
  type ServiceCheck,
} from '@imagefleet/pipeline';

export interface NodeOptions {
  hostsDir: string;
  address: string;
  namespace: string;
}

export async function verifyCommand(
  manifestFile: string,
  names: string[],
  opts: { json: boolean; asNode?: NodeOptions | undefined },
): Promise<number> {
  const manifest = await loadManifest(manifestFile);
  const services = names.length
    ? names.map((n) => findService(manifest, n).name)
    : manifest.services.map((s) => s.name);
  const results: ServiceCheck[] = [];
  for await (const check of verifyServices(manifest, services, { env: process.env })) results.push(check);
  const node = opts.asNode
    ? await pullVerifiedAsNode(manifest, results, { ...opts.asNode, env: process.env })
    : undefined;
  const nodeOf = (service: string): NodeCheck | undefined => node?.get(service);
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify(
        results.map((r) => ({ ...r, ...(node && { node: nodeOf(r.service) }) })),
        null,
        2,
      )}\n`,
    );
  } else {
    const header = ['service', 'status', ...(node ? ['node'] : []), 'digest', 'detail'];
    const rows = results.map((r) => [
      r.service,
      r.status,
      ...(node ? [nodeOf(r.service)?.status ?? ''] : []),
      r.digest.slice(0, 19),
      r.detail,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const fmt = (cells: string[]) =>
      cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
    process.stdout.write(`${[fmt(header), ...rows.map(fmt)].join('\n')}\n`);
    // The node's own words, one service per line: too long for a column.
    for (const r of results) {
      const n = nodeOf(r.service);
      if (n && n.status !== 'pulled' && n.status !== 'not-verified')
        process.stdout.write(`${r.service}: node: ${n.detail}${n.hint ? ` — ${n.hint}` : ''}\n`);
    }
    const bad = results.filter((r) => r.status !== 'verified').length;
    const nodeBad = node ? [...node.values()].filter((n) => n.status !== 'pulled').length : 0;
    process.stdout.write(
      `${results.length} image(s): ${results.length - bad} verified, ${bad} with gaps${node ? `; as a node: ${results.length - nodeBad} pulled, ${nodeBad} not` : ''}\n`,
    );
  }
  const registryOk = results.every((r) => r.status === 'verified');
  const nodeOk = !node || [...node.values()].every((n) => n.status === 'pulled');
  return registryOk && nodeOk ? 0 : 1;
}
