/**
 * Write a cluster config under one directory: each file replaced atomically (the one atomic
 * writer, libs/report's), so a node or tool reading `certs.d` never sees half a file.
 */
import path from 'node:path';
import { writeFileAtomic } from '@imagefleet/report';
import type { Manifest } from '@imagefleet/manifest';
import { clusterConfig, type ClusterConfig } from './config.js';
import type { ClusterKind, ClusterOptions } from './target.js';

export interface WrittenClusterConfig extends ClusterConfig {
  /** Absolute output directory. */
  dir: string;
  /** Absolute paths written, in order. */
  written: string[];
}

/** Generate for `kind` and write under `dir` (made absolute first: KIND mounts `<dir>/certs.d`). */
export async function writeClusterConfig(
  dir: string,
  manifest: Manifest,
  kind: ClusterKind,
  opts: Omit<ClusterOptions, 'outDir'> = {},
): Promise<WrittenClusterConfig> {
  const absolute = path.resolve(dir);
  const config = clusterConfig(manifest, kind, { ...opts, outDir: absolute });
  const written: string[] = [];
  for (const [relative, content] of Object.entries(config.files)) {
    const file = path.join(absolute, ...relative.split('/'));
    await writeFileAtomic(file, content, relative.endsWith('.sh') ? 0o755 : 0o644);
    written.push(file);
  }
  return { ...config, dir: absolute, written };
}
