/**
 * A private containerd for tests, of either generation: Debian's `/usr/bin/containerd` (1.6,
 * installed with docker.io, config `version = 2`) or Debian sid's 2.1 that tools/dev-env/up.sh
 * unpacks into `<state>/containerd2` (config `version = 3`, the CRI split into
 * `io.containerd.cri.v1.*`: what KIND ≥ 0.27 and k3s 1.31+ nodes run). Each has its own temp
 * --root, --state and socket, and a minimal config that turns off the plugins a pull does not
 * need (CRI, snapshotters that want special file systems). Pulls go through
 * `ctr --address <socket>` exactly as a node's admin would run them, with `--hosts-dir` pointing
 * at a generated `certs.d`.
 *
 * Needs root (containerd refuses to start otherwise). Stopped by PID (SIGTERM, then SIGKILL).
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { runCommand, type RunResult } from '@imagefleet/process';
import { createRegistryClient, DOCKER_CONFIG, DOCKER_LAYER, DOCKER_MANIFEST, sha256Digest } from '@imagefleet/registry';

export const CONTAINERD_BIN = process.env.IMAGEFLEET_CONTAINERD_BIN ?? '/usr/bin/containerd';
export const CTR_BIN = process.env.IMAGEFLEET_CTR_BIN ?? '/usr/bin/ctr';
const READY_TIMEOUT_MS = 15_000;

const STATE =
  process.env['IMAGEFLEET_STATE_DIR'] ||
  join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), '.imagefleet');

/** containerd 1.x (config version 2) or 2.x (config version 3). */
export type ContainerdGeneration = 1 | 2;

/** The binaries of each generation: Debian's 1.6, and sid's 2.1 unpacked by up.sh. */
export const CONTAINERD: Record<ContainerdGeneration, { containerd: string; ctr: string }> = {
  1: { containerd: CONTAINERD_BIN, ctr: CTR_BIN },
  2: {
    containerd: join(STATE, 'containerd2', 'usr', 'bin', 'containerd'),
    ctr: join(STATE, 'containerd2', 'usr', 'bin', 'ctr'),
  },
};

export interface RunningContainerd {
  /** The gRPC socket, for `ctr --address`. */
  address: string;
  pid: number;
  /** `ctr --address <socket> <args>`, bounded by `timeoutMs` (default 30 s). */
  ctr(args: readonly string[], timeoutMs?: number): Promise<RunResult>;
  /** The daemon's own log so far (useful in assertion messages). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Plugins a content-only pull does not use. CRI is off (a node's kubelet side is not under
 * test); btrfs/zfs/devmapper/aufs would log errors on an ordinary file system.
 */
const DISABLED_PLUGINS: Record<ContainerdGeneration, string[]> = {
  1: [
    'io.containerd.grpc.v1.cri',
    'io.containerd.snapshotter.v1.btrfs',
    'io.containerd.snapshotter.v1.zfs',
    'io.containerd.snapshotter.v1.devmapper',
    'io.containerd.snapshotter.v1.aufs',
    'io.containerd.internal.v1.tracing',
  ],
  2: [
    'io.containerd.grpc.v1.cri',
    'io.containerd.cri.v1.images',
    'io.containerd.cri.v1.runtime',
    'io.containerd.snapshotter.v1.btrfs',
    'io.containerd.snapshotter.v1.zfs',
    'io.containerd.snapshotter.v1.devmapper',
    'io.containerd.snapshotter.v1.erofs',
  ],
};

function configToml(dir: string, address: string, generation: ContainerdGeneration): string {
  const disabled = DISABLED_PLUGINS[generation];
  return [
    `version = ${generation + 1}`,
    `root = "${join(dir, 'root')}"`,
    `state = "${join(dir, 'state')}"`,
    `disabled_plugins = [${disabled.map((p) => `"${p}"`).join(', ')}]`,
    '',
    '[grpc]',
    `  address = "${address}"`,
    '',
    // Its own ttrpc socket and no metrics listener: nothing shared with a system containerd.
    '[ttrpc]',
    `  address = "${address}.ttrpc"`,
    '',
  ].join('\n');
}

export async function containerdAvailable(generation: ContainerdGeneration = 1): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'containerd needs root';
  const bin = CONTAINERD[generation].containerd;
  const res = await runCommand(bin, ['--version'], { timeoutMs: 10_000 });
  if (res.ok) return undefined;
  return generation === 2
    ? `${bin}: ${res.reason} (tools/dev-env/up.sh unpacks Debian sid's containerd 2 there)`
    : `${bin}: ${res.reason}`;
}

/** Start a containerd of its own and wait (bounded) until `ctr version` answers. */
export async function startContainerd(generation: ContainerdGeneration = 1): Promise<RunningContainerd> {
  const bin = CONTAINERD[generation];
  const dir = mkdtempSync(join(tmpdir(), 'imagefleet-containerd-'));
  // Unix socket paths are limited to 108 bytes: tmpdir paths are short enough here.
  const address = join(dir, 'containerd.sock');
  const configFile = join(dir, 'config.toml');
  writeFileSync(configFile, configToml(dir, address, generation));
  const logFile = join(dir, 'containerd.log');
  const fd = openSync(logFile, 'w');
  const child = spawn(
    bin.containerd,
    [
      '--config',
      configFile,
      '--root',
      join(dir, 'root'),
      '--state',
      join(dir, 'state'),
      '--address',
      address,
      '--log-level',
      'info',
    ],
    { detached: true, stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${bin.containerd}`);
  let exit: string | undefined;
  child.on('exit', (code, signal) => (exit = `exit ${code ?? signal}`));
  child.on('error', (err) => (exit = err.message));
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const killer = () => signal('SIGKILL');
  process.once('exit', killer);
  function signal(sig: NodeJS.Signals): void {
    if (exit !== undefined) return;
    try {
      process.kill(pid!, sig);
    } catch {
      // already gone
    }
  }
  const stop = async () => {
    process.off('exit', killer);
    if (exit === undefined) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const ctr = (args: readonly string[], timeoutMs = 30_000) =>
    runCommand(bin.ctr, ['--address', address, '--connect-timeout', '5s', ...args], { timeoutMs });

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exit !== undefined) {
      const text = log();
      await stop();
      throw new Error(`containerd exited before answering (${exit}); log:\n${text.slice(-3000)}`);
    }
    const res = await ctr(['version'], 5000);
    if (res.ok && /Server:/.test(res.stdout)) break;
    if (Date.now() > deadline) {
      const text = log();
      await stop();
      throw new Error(
        `containerd did not answer \`ctr version\` within ${READY_TIMEOUT_MS / 1000} s: ${res.reason}\n${text.slice(-3000)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { address, pid, ctr, log, stop };
}

/** A one-file tar archive (ustar), enough for containerd to unpack a layer. */
export function tarOneFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) => header.write(value, offset, length, 'ascii');
  const octal = (n: number, length: number) => `${n.toString(8).padStart(length - 1, '0')}\0`;
  field(0, 100, name);
  field(100, 8, octal(0o644, 8));
  field(108, 8, octal(0, 8));
  field(116, 8, octal(0, 8));
  field(124, 12, octal(content.length, 12));
  field(136, 12, octal(0, 12));
  field(148, 8, '        '); // checksum is computed with its own field as spaces
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  let sum = 0;
  for (const byte of header) sum += byte;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}

export interface PushedRunnableImage {
  /** Manifest digest. */
  digest: string;
  /** `sha256:` of the uncompressed layer (the config's diff_id). */
  diffId: string;
}

/**
 * Push an image containerd can unpack: one gzipped layer holding `/hello.txt`, a config whose
 * `rootfs.diff_ids` match it, for this machine's architecture. Through the registry API only.
 */
export async function pushRunnableImage(registryHost: string, repo: string, tag: string): Promise<PushedRunnableImage> {
  const client = createRegistryClient({ host: registryHost });
  const tar = tarOneFile('hello.txt', Buffer.from(`hello from imagefleet ${randomBytes(4).toString('hex')}\n`));
  const layer = gzipSync(tar);
  const diffId = sha256Digest(tar);
  const architecture = process.arch === 'x64' ? 'amd64' : process.arch;
  const config = Buffer.from(
    JSON.stringify({ architecture, os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [diffId] } }),
  );
  const [configDigest, layerDigest] = await Promise.all([
    client.uploadBlob(repo, config),
    client.uploadBlob(repo, layer),
  ]);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: DOCKER_CONFIG, digest: configDigest, size: config.length },
      layers: [{ mediaType: DOCKER_LAYER, digest: layerDigest, size: layer.length }],
    }),
  );
  const digest = await client.putManifest(repo, tag, manifest, DOCKER_MANIFEST);
  return { digest, diffId };
}
