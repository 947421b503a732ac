/**
 * Write a cluster config under one directory: each file replaced atomically (the one atomic
 * writer, libs/report's), so a node or tool reading `certs.d` never sees half a file. CA files
 * are copied beside the hosts.toml that names them; a file with credentials is written 0600.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '@imagefleet/report';
import type { Manifest } from '@imagefleet/manifest';
import { clusterConfig, type ClusterConfig } from './config.js';
import { ClusterConfigError } from './errors.js';
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
  const copied: Record<string, string> = {};
  for (const [relative, source] of Object.entries(config.copies)) {
    try {
      copied[relative] = await readFile(source, 'utf8');
    } catch (err) {
      throw new ClusterConfigError(
        `caFile ${source} (for ${relative.split('/')[1]}) cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
  }
  for (const [relative, content] of Object.entries({ ...config.files, ...copied })) {
    const file = path.join(absolute, ...relative.split('/'));
    const mode = relative.endsWith('.sh') ? 0o755 : config.secretFiles.includes(relative) ? 0o600 : 0o644;
    await writeFileAtomic(file, content, mode);
    written.push(file);
  }
  return { ...config, dir: absolute, written };
}
