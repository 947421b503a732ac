/**
 * A real registry that garbage collection can be run on, the way tools/dev-env/up.sh runs one:
 * Debian's distribution 2.8 with a config file, a pid file and a start command that can be
 * repeated (registry-server.ts's `startRegistry` has neither a pid file nor a restart). Used with
 * prune's injectable GC target: prune stops it by the pid file, runs `garbage-collect` on the
 * config, and calls `target.restart()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOCKER_CONFIG, DOCKER_LAYER, DOCKER_MANIFEST, sha256Digest, type RegistryClient } from '@imagefleet/registry';
import { waitAnswering, type GcTarget } from '@imagefleet/prune';
import { freePort } from './registry-server.js';

const REGISTRY_BIN = process.env.IMAGEFLEET_REGISTRY_BIN ?? '/usr/bin/docker-registry';

export interface GcRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  configFile: string;
  pidFile: string;
  /** Path of a blob's data file in the storage. */
  blobDataPath(digest: string): string;
  /** For `prune({ gc })`: stop by pid file, collect, `restart()`. */
  target: GcTarget;
  /** Kill the current registry (by its pid) and remove the temp dir. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => live.forEach((c) => c.pid && !c.killed && process.kill(c.pid, 'SIGKILL')));

export async function startGcRegistry(): Promise<GcRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'imagefleet-gc-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const storage = join(dir, 'storage');
  const configFile = join(dir, 'config.yml');
  const pidFile = join(dir, 'registry.pid');
  // No storage cache (a blob deleted from disk must answer 404), deletes enabled: as up.sh writes it.
  writeFileSync(
    configFile,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${storage}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${host}`,
      '',
    ].join('\n'),
  );
  let current: ChildProcess | undefined;
  const start = async () => {
    const log = openSync(join(dir, 'registry.log'), 'a');
    const child = spawn(REGISTRY_BIN, ['serve', configFile], { detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    live.add(child);
    child.once('exit', () => live.delete(child));
    if (!child.pid) throw new Error(`could not start ${REGISTRY_BIN}`);
    current = child;
    writeFileSync(pidFile, `${child.pid}\n`);
    await waitAnswering(`http://${host}/v2/`, child.pid);
  };
  await start();
  const hex = (digest: string) => digest.replace(/^sha256:/, '');
  return {
    host,
    configFile,
    pidFile,
    blobDataPath: (digest) =>
      join(storage, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex(digest).slice(0, 2), hex(digest), 'data'),
    target: { configFile, pidFile, registryBin: REGISTRY_BIN, restart: start },
    stop: async () => {
      const child = current;
      if (child?.pid && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        process.kill(child.pid, 'SIGTERM');
        const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface DatedImage {
  digest: string;
  /** Config and layer digests. */
  config: string;
  layers: string[];
  bytes: Buffer;
  mediaType: string;
}

/**
 * Push an image whose config says `created` (what prune orders content tags by), with the given
 * shared layers plus one random layer of its own, under `tags` (none: by digest only).
 */
export async function pushDatedImage(
  client: RegistryClient,
  repo: string,
  tags: string[],
  created: string,
  shared: Buffer[] = [],
): Promise<DatedImage> {
  const configBytes = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created,
      rootfs: { type: 'layers', diff_ids: [] },
      nonce: randomBytes(8).toString('hex'),
    }),
  );
  const layerBytes = [...shared, randomBytes(512)];
  const [config, ...layers] = await Promise.all([configBytes, ...layerBytes].map((b) => client.uploadBlob(repo, b)));
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: DOCKER_CONFIG, digest: config, size: configBytes.length },
      layers: layerBytes.map((b, i) => ({ mediaType: DOCKER_LAYER, digest: layers[i], size: b.length })),
    }),
  );
  const digest = sha256Digest(bytes);
  for (const ref of tags.length ? tags : [digest]) await client.putManifest(repo, ref, bytes, DOCKER_MANIFEST);
  return { digest, config: config!, layers, bytes, mediaType: DOCKER_MANIFEST };
}
