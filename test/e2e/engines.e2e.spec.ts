/**
 * The engines tools/dev-env/up.sh starts, as they run right now (this file starts and stops nothing):
 * the main engine named in <state>/engine with the client <state>/engine.env names (docker28: Docker 28.5
 * with the containerd image store and buildx; debian12: dockerd 20.10), and — when `up.sh --second-engine`
 * runs — the other engine in network namespace imagefleet-e2, which reaches the host's registry as
 * localhost:5001. Each engine builds an image FROM scratch and pushes it; the registry says what landed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { execa } from 'execa';
import { startRegistry, type RunningRegistry } from '../support/registry-server.js';
import { REPO_ROOT } from '../support/workspace.js';

const STATE = process.env['IMAGEFLEET_STATE_DIR'] || join(REPO_ROOT, '.imagefleet');
const DEV_REGISTRY = `localhost:${process.env['IMAGEFLEET_REGISTRY_PORT'] || '5001'}`;
const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

interface Engine {
  name: string;
  env: Record<string, string>;
}

function readEngine(dir: string): Engine | undefined {
  const engineFile = join(dir, 'engine');
  const envFile = join(dir, 'engine.env');
  if (!existsSync(engineFile) || !existsSync(envFile)) return undefined;
  const env: Record<string, string> = {};
  for (const line of readFileSync(envFile, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return { name: readFileSync(engineFile, 'utf8').trim(), env };
}

const main = readEngine(STATE);
const second = readEngine(join(STATE, 'e2'));

function docker(engine: Engine, args: string[], extraEnv: Record<string, string> = {}) {
  const env = Object.fromEntries(Object.entries(engine.env).filter(([k]) => !k.startsWith('IMAGEFLEET_')));
  return execa(engine.env['IMAGEFLEET_DOCKER']!, args, {
    env: { ...env, ...extraEnv },
    reject: false,
    all: true,
    timeout: 120_000,
  });
}

async function manifest(host: string, repo: string, ref: string) {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${ref}`, { headers: { Accept: ACCEPT } });
  const body = (await res.json()) as { mediaType?: string; manifests?: { annotations?: Record<string, string> }[] };
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    digest: res.headers.get('docker-content-digest'),
    body,
  };
}

let context: string;
beforeAll(() => {
  context = mkdtempSync(join(tmpdir(), 'engines-e2e-'));
  copyFileSync('/bin/busybox', join(context, 'busybox'));
  writeFileSync(
    join(context, 'Dockerfile'),
    `FROM scratch\nADD busybox /bin/busybox\nLABEL run=${process.pid}-${Date.now()}\n`,
  );
});
afterAll(() => rmSync(context, { recursive: true, force: true }));

describe.skipIf(!main || main.name === 'external')('main engine (tools/dev-env/up.sh)', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => registry?.stop());

  it('engine.env names an absolute CLI and the main socket, and the server is the engine recorded', async () => {
    const engine = main!;
    expect(['docker28', 'debian12']).toContain(engine.name);
    expect(engine.env['DOCKER_HOST']).toBe('unix:///var/run/docker.sock');
    expect(isAbsolute(engine.env['IMAGEFLEET_DOCKER'] ?? '')).toBe(true);
    const version = await docker(engine, ['version', '--format', '{{.Server.Version}}']);
    expect(version.exitCode, version.all).toBe(0);
    expect(version.stdout).toMatch(engine.name === 'docker28' ? /^28\./ : /^20\.10\./);
  });

  it.skipIf(main?.name !== 'docker28')(
    'docker28: containerd image store, and buildx through DOCKER_CONFIG',
    async () => {
      const info = await docker(main!, ['info', '--format', '{{json .DriverStatus}}']);
      expect(info.stdout).toContain('io.containerd.snapshotter.v1');
      const buildx = await docker(main!, ['buildx', 'version']);
      expect(buildx.exitCode, buildx.all).toBe(0);
      expect(buildx.stdout).toMatch(/buildx v?0\.\d+/);
    },
  );

  it('docker build + docker push land in the registry with the digest push printed', async () => {
    const ref = `${registry.host}/engines/push:t`;
    const build = await docker(main!, ['build', '-q', '-t', ref, context], { DOCKER_BUILDKIT: '1' });
    expect(build.exitCode, build.all).toBe(0);
    const push = await docker(main!, ['push', ref]);
    expect(push.exitCode, push.all).toBe(0);
    const printed = /digest: (sha256:[0-9a-f]{64})/.exec(push.stdout)?.[1];
    const m = await manifest(registry.host, 'engines/push', 't');
    expect(m.status).toBe(200);
    expect(m.digest).toBe(printed);
    // docker28 (containerd store) pushes an OCI index with a provenance attestation; 20.10 a Docker v2 manifest.
    if (main!.name === 'docker28') {
      expect(m.type).toBe('application/vnd.oci.image.index.v1+json');
      expect(
        m.body.manifests?.some((d) => d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest'),
      ).toBe(true);
    } else {
      expect(m.type).toBe('application/vnd.docker.distribution.manifest.v2+json');
    }
  });

  it.skipIf(main?.name !== 'docker28')(
    "docker28: buildx build --output push=true writes containerimage.digest, the tag's digest",
    async () => {
      const meta = join(context, 'meta.json');
      const bx = await docker(main!, [
        'buildx',
        'build',
        '--output',
        `type=image,name=${registry.host}/engines/buildx:t,push=true`,
        '--metadata-file',
        meta,
        context,
      ]);
      expect(bx.exitCode, bx.all).toBe(0);
      const digest = (JSON.parse(readFileSync(meta, 'utf8')) as Record<string, unknown>)['containerimage.digest'];
      const m = await manifest(registry.host, 'engines/buildx', 't');
      expect(m.digest).toBe(digest);
      expect(m.type).toBe('application/vnd.oci.image.index.v1+json');
    },
  );
});

describe.skipIf(!second)('second engine in network namespace imagefleet-e2 (up.sh --second-engine)', () => {
  it('is the other engine, on its own socket', async () => {
    expect(second!.name).not.toBe(main?.name);
    expect(second!.env['DOCKER_HOST']).toBe(`unix://${join(STATE, 'e2', 'docker.sock')}`);
    const version = await docker(second!, ['version', '--format', '{{.Server.Version}}']);
    expect(version.exitCode, version.all).toBe(0);
    expect(version.stdout).toMatch(second!.name === 'docker28' ? /^28\./ : /^20\.10\./);
  });

  it(`pushes to ${DEV_REGISTRY} inside the namespace and the image lands in the host's registry`, async () => {
    const repo = `imagefleet-e2e/engines-${process.pid}`;
    const ref = `${DEV_REGISTRY}/${repo}:t`;
    const build = await docker(second!, ['build', '-q', '-t', ref, context], { DOCKER_BUILDKIT: '1' });
    expect(build.exitCode, build.all).toBe(0);
    const push = await docker(second!, ['push', ref]);
    expect(push.exitCode, push.all).toBe(0);
    const printed = /digest: (sha256:[0-9a-f]{64})/.exec(push.stdout)?.[1];
    const m = await manifest(DEV_REGISTRY.replace(/^localhost/, '127.0.0.1'), repo, 't');
    expect(m.status).toBe(200);
    expect(m.digest).toBe(printed);
    await docker(second!, ['image', 'rm', '--force', ref]);
  });
});
