/**
 * Write a cluster config under one directory: each file replaced atomically (temp file in the
 * same directory, fsync, rename), so a node or tool reading `certs.d` never sees half a file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
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
    await writeAtomic(file, content, relative.endsWith('.sh') ? 0o755 : 0o644);
    written.push(file);
  }
  return { ...config, dir: absolute, written };
}

async function writeAtomic(file: string, content: string, mode: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
