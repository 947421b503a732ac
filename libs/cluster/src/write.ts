/**
 * Write a cluster config under one directory: each file replaced atomically (the one atomic
 * writer, libs/report's), so a node or tool reading `certs.d` never sees half a file. CA files
 * are copied beside the hosts.toml that names them; a file with credentials is written 0600.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
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
  await makeDirectory(absolute, dir);
  for (const [relative, content] of Object.entries({ ...config.files, ...copied })) {
    const file = path.join(absolute, ...relative.split('/'));
    await makeDirectory(path.dirname(file), dir);
    const mode = relative.endsWith('.sh') ? 0o755 : config.secretFiles.includes(relative) ? 0o600 : 0o644;
    await writeFileAtomic(file, content, mode);
    written.push(file);
  }
  return { ...config, dir: absolute, written };
}

/**
 * `dir` and its missing parents, one level at a time. Node's `mkdir(…, { recursive: true })`
 * never returns where a file system answers ENOENT for a directory whose parent exists
 * (`/proc/x`): it retries the parent and the child for ever at 100 % CPU. One level at a time,
 * the first refusal is the answer.
 */
async function makeDirectory(dir: string, given: string): Promise<void> {
  const found = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw refused(dir, given, error);
  });
  if (found?.isDirectory()) return;
  if (found)
    throw new ClusterConfigError(
      `cluster-config --out ${given}: ${dir} is a file, not a directory: choose a directory to write the config under`,
    );
  await makeDirectory(path.dirname(dir), given);
  await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw refused(dir, given, error);
  });
}

function refused(dir: string, given: string, error: NodeJS.ErrnoException): ClusterConfigError {
  return new ClusterConfigError(
    `cluster-config --out ${given}: cannot create ${dir} (${error.code ?? error.message}): choose a directory you can write`,
  );
}
