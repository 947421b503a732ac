/**
 * `imagefleet cluster-config --for KIND [--out DIR] [--workers N] [--with-credentials]`: print
 * what a cluster needs, or write it under DIR. Credentials are read from the environment here,
 * only when asked, and never printed.
 */
import path from 'node:path';
import {
  buildkitdToml,
  CLUSTER_KINDS,
  clusterConfig,
  clusterTarget,
  readCredentials,
  writeClusterConfig,
  type ClusterKind,
  type ClusterOptions,
} from '@imagefleet/cluster';
import { mkdir } from 'node:fs/promises';
import { writeFileAtomic } from '@imagefleet/report';
import { loadManifest } from '@imagefleet/manifest';
import { UsageError } from '../usage-error.js';

export async function clusterConfigCommand(
  manifestFile: string,
  opts: { for: string | undefined; out: string | undefined; workers?: string | undefined; withCredentials?: boolean },
): Promise<number> {
  if (!opts.for) throw new UsageError(`cluster-config needs --for ${CLUSTER_KINDS.join('|')}|buildkitd`);
  if (opts.for === 'buildkitd') return buildkitdCommand(manifestFile, opts.out);
  if (!(CLUSTER_KINDS as readonly string[]).includes(opts.for)) {
    throw new UsageError(`cluster-config --for "${opts.for}": use one of ${CLUSTER_KINDS.join(', ')}, buildkitd`);
  }
  const kind = opts.for as ClusterKind;
  const workers = opts.workers === undefined ? 0 : Number(opts.workers);
  if (!Number.isInteger(workers) || workers < 0 || workers > 20)
    throw new UsageError(`cluster-config --workers "${opts.workers}": a whole number from 0 to 20`);
  if (opts.workers !== undefined && kind !== 'kind')
    throw new UsageError('cluster-config --workers goes with --for kind');
  const manifest = await loadManifest(manifestFile);
  const options: ClusterOptions = { workers };
  if (opts.withCredentials) {
    if (kind !== 'k3s' && kind !== 'k3d')
      throw new UsageError('cluster-config --with-credentials goes with --for k3s or k3d (registries.yaml)');
    options.credentials = readCredentials(clusterTarget(manifest, kind, options), process.env);
  }
  if (!opts.out) {
    const config = clusterConfig(manifest, kind, options);
    process.stdout.write(config.text);
    for (const [file, content] of Object.entries(config.files))
      process.stdout.write(
        `\n# ---- ${file}\n${config.secretFiles.includes(file) ? '# (holds credentials: written only with --out)\n' : content}`,
      );
    return 0;
  }
  const written = await writeClusterConfig(opts.out, manifest, kind, options);
  process.stdout.write(written.text);
  process.stdout.write(`\nwrote ${written.written.length} file(s) under ${written.dir}:\n`);
  for (const file of written.written) process.stdout.write(`  ${path.relative(process.cwd(), file) || file}\n`);
  return 0;
}

/** The builder's side: `buildkitd.toml`, printed or written as DIR/buildkitd.toml. */
async function buildkitdCommand(manifestFile: string, out: string | undefined): Promise<number> {
  const text = buildkitdToml(await loadManifest(manifestFile));
  if (!out) {
    process.stdout.write(text);
    return 0;
  }
  await mkdir(out, { recursive: true });
  const file = path.join(out, 'buildkitd.toml');
  await writeFileAtomic(file, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file) || file}\n`);
  return 0;
}
