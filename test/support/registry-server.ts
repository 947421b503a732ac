/**
 * A real registry for tests: Debian's CNCF distribution (`/usr/bin/docker-registry`, v2.8) on
 * loopback, in a fresh temp dir, plus helpers to put images into it through the HTTP API
 * (exact and faster than a Docker engine).
 *
 * The config sets no `storage.cache` section on purpose: without a blob descriptor cache the
 * registry stats the storage on every HEAD, so tests that delete blob files see a 404.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import {
  createRegistryClient,
  DOCKER_CONFIG,
  DOCKER_LAYER,
  DOCKER_MANIFEST,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
  sha256Digest,
  type Descriptor,
  type RegistryClient,
} from '@imagefleet/registry';

export interface StartRegistryOptions {
  /** Turn on htpasswd (Basic) auth with this one user. */
  htpasswd?: { user: string; password: string };
  /** Serve HTTPS with this certificate and key (PEM files), e.g. from `makeSelfSignedCert()`. */
  tls?: { certFile: string; keyFile: string };
  /**
   * Serve another registry's storage (its `storageDir`) instead of a fresh one: a second front
   * (say HTTPS with auth) on the same images. It is not removed by `stop()`.
   */
  storageDir?: string;
  /** `storage.delete.enabled` (distribution's own default is off). @default true */
  deleteEnabled?: boolean;
  /** The loopback address to listen on, e.g. `127.0.0.2` for a second registry name. @default 127.0.0.1 */
  address?: string;
}

export interface RunningRegistry {
  /** `<address>:<port>`, `127.0.0.1:<port>` by default */
  host: string;
  port: number;
  /** `rootdirectory` of the filesystem storage. */
  storageDir: string;
  /** Path of a blob's data file, to damage the storage on purpose. */
  blobDataPath(digest: string): string;
  /** Path of a repository's link to a blob (`_layers`), to unlink a blob from one repository. */
  layerLinkPath(repo: string, digest: string): string;
  stop(): Promise<void>;
}

const REGISTRY_BIN = process.env.IMAGEFLEET_REGISTRY_BIN ?? '/usr/bin/docker-registry';
const READY_TIMEOUT_MS = 10_000;

/** Registries still running, killed if the test process exits without stopping them. */
const running = new Set<() => void>();
let exitHook = false;
function killOnExit(kill: () => void): () => void {
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => running.forEach((k) => k()));
  }
  running.add(kill);
  return () => running.delete(kill);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

interface ConfigOptions {
  address: string;
  deleteEnabled: boolean;
  htpasswdFile?: string | undefined;
  tls?: StartRegistryOptions['tls'];
  storageDir: string;
}

function configYaml(dir: string, port: number, opts: ConfigOptions): string {
  const { htpasswdFile, tls } = opts;
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${opts.storageDir}`,
    '  delete:',
    `    enabled: ${opts.deleteEnabled}`,
    'http:',
    `  addr: ${opts.address}:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    ...(tls ? ['  tls:', `    certificate: ${tls.certFile}`, `    key: ${tls.keyFile}`] : []),
    // Foreign layers (descriptors with `urls`): 2.8 refuses every URL unless allowed, and answers
    // that with 500 UNKNOWN ("invalid URL on layer" only in its log).
    'validation:',
    '  manifests:',
    '    urls:',
    '      allow:',
    "        - '^https?://'",
    ...(htpasswdFile ? ['auth:', '  htpasswd:', '    realm: imagefleet-test', `    path: ${htpasswdFile}`] : []),
    '',
  ].join('\n');
}

/** Status of `GET <scheme>://host/v2/`; over HTTPS without checking the certificate (readiness only). */
function probe(host: string, https: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const get = https ? httpsGet : httpGet;
    const req = get(
      `${https ? 'https' : 'http'}://${host}/v2/`,
      { timeout: 1000, ...(https && { rejectUnauthorized: false }) },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function waitReady(host: string, https: boolean, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const early = exited();
    if (early !== undefined) throw new Error(`docker-registry exited before answering: ${early}`);
    try {
      const status = await probe(host, https);
      if (status === 200 || status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `docker-registry did not answer GET ${https ? 'https' : 'http'}://${host}/v2/ within ${READY_TIMEOUT_MS / 1000} s`,
  );
}

interface Launched {
  host: string;
  port: number;
  stop: () => Promise<void>;
}

/** Spawn one registry on a free port and wait until it answers. */
async function launch(dir: string, opts: ConfigOptions): Promise<Launched> {
  const port = await freePort();
  const host = `${opts.address}:${port}`;
  const configFile = join(dir, 'config.yml');
  writeFileSync(configFile, configYaml(dir, port, opts));
  const logFile = join(dir, 'registry.log');
  const log = openSync(logFile, 'w');
  // Detached: its own process group, so stop() can kill it and anything it started.
  const child = spawn(REGISTRY_BIN, ['serve', configFile], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  let exit: string | undefined;
  child.on(
    'exit',
    (code, signal) => (exit = `exit ${code ?? signal}; log: ${readFileSync(logFile, 'utf8').slice(-2000)}`),
  );
  child.on('error', (err) => (exit = err.message));
  const pid = child.pid;
  const signalGroup = (signal: NodeJS.Signals) => {
    if (pid === undefined || exit !== undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  const forget = killOnExit(() => signalGroup('SIGTERM'));
  const stop = async () => {
    forget();
    if (exit !== undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signalGroup('SIGTERM');
    const timer = setTimeout(() => signalGroup('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitReady(host, opts.tls !== undefined, () => exit);
  } catch (err) {
    await stop();
    throw err;
  }
  return { host, port, stop };
}

/** Start a registry on a free loopback port; `stop()` kills its process group and removes its dir. */
export async function startRegistry(opts: StartRegistryOptions = {}): Promise<RunningRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'imagefleet-registry-'));
  try {
    let htpasswdFile: string | undefined;
    if (opts.htpasswd) {
      htpasswdFile = join(dir, 'htpasswd');
      const { stdout } = await execa('htpasswd', ['-Bbn', opts.htpasswd.user, opts.htpasswd.password]);
      writeFileSync(htpasswdFile, `${stdout.trim()}\n`, { mode: 0o600 });
    }
    const storageDir = opts.storageDir ?? join(dir, 'storage');
    let launched: Launched | undefined;
    // The free port may be taken between probing and binding (other suites run alongside): retry.
    for (let attempt = 1; !launched; attempt++) {
      try {
        launched = await launch(dir, {
          address: opts.address ?? '127.0.0.1',
          deleteEnabled: opts.deleteEnabled ?? true,
          htpasswdFile,
          tls: opts.tls,
          storageDir,
        });
      } catch (err) {
        if (attempt >= 3 || !String(err).includes('address already in use')) throw err;
      }
    }
    const { host, port } = launched;
    const stopRegistry = launched.stop;
    const v2 = join(storageDir, 'docker', 'registry', 'v2');
    const hex = (digest: string) => digest.replace(/^sha256:/, '');
    return {
      host,
      port,
      storageDir,
      blobDataPath: (digest) => join(v2, 'blobs', 'sha256', hex(digest).slice(0, 2), hex(digest), 'data'),
      layerLinkPath: (repo, digest) => join(v2, 'repositories', repo, '_layers', 'sha256', hex(digest), 'link'),
      stop: async () => {
        await stopRegistry();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

export interface PushRandomImageOptions {
  /** Number of random layers. @default 1 */
  layers?: number;
  /** Bytes per layer. @default 256 */
  layerSize?: number;
  /** OCI media types instead of Docker schema 2. @default false */
  oci?: boolean;
}

export interface PushedManifest {
  /** Digest of the manifest. */
  digest: string;
  mediaType: string;
  bytes: Buffer;
  /** The manifest's own descriptor, for putting it into an index. */
  descriptor: Descriptor;
}

export interface PushedImage extends PushedManifest {
  config: Descriptor;
  layers: Descriptor[];
}

const clientFor = (target: RegistryClient | string): RegistryClient =>
  typeof target === 'string' ? createRegistryClient({ host: target }) : target;

/**
 * Upload a random config and `layers` random layers, then PUT a manifest naming them under `ref`
 * (a tag, or the manifest's own digest when `ref` is `null`).
 */
export async function pushRandomImage(
  target: RegistryClient | string,
  repo: string,
  ref: string | null,
  opts: PushRandomImageOptions = {},
): Promise<PushedImage> {
  const client = clientFor(target);
  const { layers: n = 1, layerSize = 256, oci = false } = opts;
  const configBytes = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
      nonce: randomBytes(8).toString('hex'),
    }),
  );
  const layerBytes = Array.from({ length: n }, () => randomBytes(layerSize));
  const [configDigest, ...layerDigests] = await Promise.all(
    [configBytes, ...layerBytes].map((b) => client.uploadBlob(repo, b)),
  );
  const config: Descriptor = {
    mediaType: oci ? OCI_CONFIG : DOCKER_CONFIG,
    digest: configDigest!,
    size: configBytes.length,
  };
  const layers: Descriptor[] = layerBytes.map((b, i) => ({
    mediaType: oci ? OCI_LAYER_GZIP : DOCKER_LAYER,
    digest: layerDigests[i]!,
    size: b.length,
  }));
  const mediaType = oci ? OCI_MANIFEST : DOCKER_MANIFEST;
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, config, layers }, null, 2));
  const digest = await client.putManifest(repo, ref ?? sha256Digest(bytes), bytes, mediaType);
  return { digest, mediaType, bytes, descriptor: { mediaType, digest, size: bytes.length }, config, layers };
}

/** PUT an OCI index of already pushed manifests (each with its platform and annotations). */
export async function pushIndex(
  target: RegistryClient | string,
  repo: string,
  tag: string,
  children: Descriptor[],
): Promise<PushedManifest> {
  const client = clientFor(target);
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: children }));
  const digest = await client.putManifest(repo, tag, bytes, OCI_INDEX);
  return { digest, mediaType: OCI_INDEX, bytes, descriptor: { mediaType: OCI_INDEX, digest, size: bytes.length } };
}
