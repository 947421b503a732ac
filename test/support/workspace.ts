/**
 * A throwaway imagefleet workspace for integration tests: the demo apps copied, this repo's
 * tools/, libs/ and node_modules linked, and a manifest pointing at the test's own registry.
 * Removed by `dispose()`.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  copyFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DOCKER = process.env['IMAGEFLEET_DOCKER'] ?? '/usr/bin/docker';

/** Nx without daemon, TUI or cloud, and no colours (a CI runner may force them on). */
export const PLAIN_OUTPUT_ENV = {
  NX_DAEMON: 'false',
  NX_TUI: 'false',
  NX_NO_CLOUD: 'true',
  CI: 'true',
  FORCE_COLOR: '0',
  NO_COLOR: '1',
};

export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}

export interface TestWorkspace {
  dir: string;
  /** Run the imagefleet CLI in the workspace. */
  cli(
    args: string[],
    env?: Record<string, string>,
  ): Promise<{ exitCode: number; stdout: string; stderr: string; all: string }>;
  /** Run nx in the workspace. */
  nx(
    args: string[],
    env?: Record<string, string>,
  ): Promise<{ exitCode: number; stdout: string; stderr: string; all: string }>;
  write(path: string, content: string): void;
  dispose(): void;
}

export interface WorkspaceOptions {
  /** The whole services.manifest.yaml text. */
  manifest: string;
  /** Which demo apps to copy (default: all). */
  apps?: string[];
  /** Extra files, path → content. */
  files?: Record<string, string>;
  /** .env content. */
  dotenv?: string;
}

const DEMO_APPS = [
  'platform-base',
  'agents-runtime',
  'inference-gateway',
  'workflows-runtime',
  'workflow-worker',
  'www-ameide',
  'www-ameide-platform',
];

export function makeWorkspace(opts: WorkspaceOptions): TestWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'imagefleet-ws-'));
  for (const link of ['node_modules', 'tools', 'libs']) symlinkSync(join(REPO_ROOT, link), join(dir, link));
  // .gitignore too: like a real repo, Nx then ignores artifacts/ (logs, rows) when hashing inputs.
  for (const file of ['package.json', 'tsconfig.base.json', 'tsconfig.json', 'nx.json', '.gitignore'])
    copyFileSync(join(REPO_ROOT, file), join(dir, file));
  for (const app of opts.apps ?? DEMO_APPS) {
    cpSync(join(REPO_ROOT, 'apps', app), join(dir, 'apps', app), { recursive: true });
  }
  ensureBusybox(join(dir, 'apps', 'platform-base'));
  writeFileSync(join(dir, 'services.manifest.yaml'), opts.manifest);
  if (opts.dotenv !== undefined) writeFileSync(join(dir, '.env'), opts.dotenv);
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  for (const [path, content] of Object.entries(opts.files ?? {})) write(path, content);

  const run = async (file: string, args: string[], env: Record<string, string> = {}) => {
    const r = await execa(file, args, {
      cwd: dir,
      reject: false,
      all: true,
      env: { ...PLAIN_OUTPUT_ENV, ...env },
    });
    return {
      exitCode: r.exitCode ?? -1,
      stdout: stripAnsi(r.stdout),
      stderr: stripAnsi(r.stderr),
      all: stripAnsi(r.all ?? ''),
    };
  };
  return {
    dir,
    cli: (args, env) => run(process.execPath, ['tools/cli/bin/imagefleet.mjs', ...args], env),
    nx: (args, env) =>
      run(process.execPath, [join(REPO_ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), ...args], env),
    write,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The demo base image needs a static busybox in its rootfs (tools/dev-env/up.sh puts it there). */
function ensureBusybox(platformBase: string): void {
  if (!existsSync(platformBase)) return;
  const target = join(platformBase, 'rootfs', 'bin', 'busybox');
  if (existsSync(target)) return;
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync('/bin/busybox', target);
}

/** A manifest for the demo apps against a test registry. */
export function demoManifest(opts: {
  pushHost: string;
  host?: string;
  extraServices?: string;
  concurrency?: number;
  push?: string;
}): string {
  const deps = DEMO_APPS.filter((a) => a !== 'platform-base')
    .map(
      (a) =>
        `  ${a}:\n    context: apps/${a}\n    dependsOn: [platform-base]${a === 'agents-runtime' ? '\n    secrets: [GIT_AUTH_TOKEN]' : ''}${a === 'www-ameide-platform' ? '\n    secrets: [GHCR_TOKEN]' : ''}`,
    )
    .join('\n');
  return `registry:
  host: ${opts.host ?? opts.pushHost}
  pushHost: ${opts.pushHost}
  namespace: ameide
  insecure: true
builder:
  driver: docker
  docker: ${DOCKER}
concurrency:
  push: ${opts.concurrency ?? 2}
${opts.push ?? ''}
services:
  platform-base:
    context: apps/platform-base
${deps}
${opts.extraServices ?? ''}`;
}

/** Which engine answers: its version, and whether it runs the containerd image store (Docker 28 here) or the classic one (20.10). */
export async function engineKind(): Promise<{ version: string; containerdStore: boolean }> {
  const r = await execa(DOCKER, ['info', '--format', '{{.ServerVersion}} {{json .DriverStatus}}']);
  const [version = '?', ...rest] = r.stdout.trim().split(' ');
  return { version, containerdStore: rest.join(' ').includes('io.containerd.snapshotter.v1') };
}

/** Is a Docker engine answering? Integration suites skip loudly, never silently pass, without one. */
export async function dockerAvailable(): Promise<boolean> {
  const r = await execa(DOCKER, ['version', '--format', '{{.Server.Version}}'], { reject: false });
  return r.exitCode === 0;
}

/**
 * The rows of a workspace's latest summary CSV by service, plus `line` (the row as written). The
 * fixed columns are read from the front: an error may hold quoted commas.
 */
export function summaryRows(ws: TestWorkspace): Record<string, Record<string, string>> {
  const [header, ...lines] = readFileSync(
    join(ws.dir, 'artifacts', 'image-build-logs', 'build-summary-dev.csv'),
    'utf8',
  )
    .trim()
    .split('\n');
  const names = header!.split(',');
  return Object.fromEntries(
    lines.map((l) => {
      const cells = l.split(',');
      const row = Object.fromEntries(names.map((n, i) => [n, cells[i] ?? '']));
      row['line'] = l;
      return [row['service']!, row];
    }),
  );
}

/** Every manifest media type a registry may hold for a tag, indexes first. */
export const ANY_MANIFEST = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface ImageInRegistry {
  /** The tag's own digest (an index's on Docker 28's containerd store, else the manifest's). */
  digest: string;
  /** The image manifests under it: one, or an index's children (attestation manifests included). */
  manifests: {
    digest: string;
    platform: string;
    config: { digest: string; size: number };
    layers: { digest: string; size: number }[];
  }[];
  /** The image itself: the one manifest, or the index's child that is not an attestation. */
  image: { digest: string; config: { digest: string; size: number }; layers: { digest: string; size: number }[] };
}

/** What the registry holds under `repo:ref`, an index followed to its children, over its plain HTTP API. */
export async function imageInRegistry(registryHost: string, repo: string, ref: string): Promise<ImageInRegistry> {
  const get = async (r: string) => {
    const res = await fetch(`http://${registryHost}/v2/${repo}/manifests/${r}`, { headers: { Accept: ANY_MANIFEST } });
    if (res.status !== 200) throw new Error(`GET ${registryHost}/${repo}:${r}: HTTP ${res.status}`);
    return { digest: res.headers.get('docker-content-digest')!, body: (await res.json()) as Record<string, unknown> };
  };
  const top = await get(ref);
  const children =
    (top.body['manifests'] as { digest: string; platform?: { os?: string; architecture?: string } }[] | undefined) ??
    null;
  const manifests = children
    ? await Promise.all(
        children.map(async (c) => {
          const m = await get(c.digest);
          return {
            digest: c.digest,
            platform: `${c.platform?.os ?? '?'}/${c.platform?.architecture ?? '?'}`,
            ...(m.body as Pick<ImageInRegistry['image'], 'config' | 'layers'>),
          };
        }),
      )
    : [{ digest: top.digest, platform: '', ...(top.body as Pick<ImageInRegistry['image'], 'config' | 'layers'>) }];
  const image = manifests.find((m) => !m.platform.startsWith('unknown/')) ?? manifests[0]!;
  return { digest: top.digest, manifests, image };
}
