/**
 * Registry verification and preflight, for real: images pushed by the pipeline, then damaged
 * through the registry API and its storage, and caught by `imagefleet verify` / the verify
 * target; a registry addressed with the wrong scheme stops the run before any build.
 */
import { MANIFEST_ACCEPT } from '@imagefleet/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../support/registry-server.js';
import { dockerAvailable, makeWorkspace, type TestWorkspace } from '../support/workspace.js';

const ACCEPT = MANIFEST_ACCEPT;

function twoServices(pushHost: string, extra = ''): string {
  return `registry:
  host: ${pushHost}
  pushHost: ${pushHost}
  namespace: ameide
${extra}builder:
  docker: /usr/bin/docker
services:
  platform-base: {}
  www-ameide:
    dependsOn: [platform-base]
`;
}

describe('verify after push', () => {
  let registry: RunningRegistry;
  let ws: TestWorkspace;

  beforeAll(async () => {
    if (!(await dockerAvailable())) throw new Error('no Docker engine answers: run `bash tools/dev-env/up.sh` first');
    registry = await startRegistry();
    ws = makeWorkspace({ manifest: twoServices(registry.host), apps: ['platform-base', 'www-ameide'] });
    const run = await ws.nx(['run-many', '-t', 'push', '--outputStyle=stream']);
    expect(run.exitCode, run.all.slice(-2000)).toBe(0);
  }, 300_000);

  afterAll(async () => {
    await registry?.stop();
    ws?.dispose();
  });

  it('verifies every service, through the CLI and the verify target', async () => {
    const cli = await ws.cli(['verify']);
    expect(cli.exitCode, cli.all).toBe(0);
    expect(cli.stdout).toMatch(/platform-base\s+verified/);
    expect(cli.stdout).toMatch(/www-ameide\s+verified/);
    expect(cli.stdout).toContain('2 image(s): 2 verified, 0 with gaps');
    const target = await ws.nx(['run', 'www-ameide:verify']);
    expect(target.exitCode, target.all).toBe(0);
  });

  it('names a blob removed from the registry storage', async () => {
    const get = async (ref: string) =>
      (await (
        await fetch(`http://${registry.host}/v2/ameide/platform-base/manifests/${ref}`, { headers: { Accept: ACCEPT } })
      ).json()) as {
        layers?: { digest: string }[];
        manifests?: { digest: string; platform?: { os: string } }[];
      };
    let manifest = await get('dev');
    // Docker 28 (containerd store) pushes an index: the image is its child that is not an attestation.
    if (manifest.manifests) manifest = await get(manifest.manifests.find((m) => m.platform?.os !== 'unknown')!.digest);
    const layer = manifest.layers!.at(-1)!.digest;
    const data = registry.blobDataPath(layer);
    const saved = readFileSync(data);
    rmSync(data);
    try {
      const cli = await ws.cli(['verify', 'platform-base', '--json']);
      expect(cli.exitCode).toBe(1);
      const [row] = JSON.parse(cli.stdout) as { status: string; detail: string }[];
      expect(row!.status).toBe('missing-blob');
      expect(row!.detail).toContain(layer);
    } finally {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(data, saved);
    }
  });

  it('names a manifest deleted through the registry API, and exits non-zero', async () => {
    const head = await fetch(`http://${registry.host}/v2/ameide/www-ameide/manifests/dev`, {
      method: 'HEAD',
      headers: { Accept: ACCEPT },
    });
    const digest = head.headers.get('docker-content-digest')!;
    const del = await fetch(`http://${registry.host}/v2/ameide/www-ameide/manifests/${digest}`, { method: 'DELETE' });
    expect(del.status).toBe(202);
    const cli = await ws.cli(['verify']);
    expect(cli.exitCode).toBe(1);
    expect(cli.stdout).toMatch(/www-ameide\s+missing-manifest/);
    expect(cli.stdout).toMatch(/platform-base\s+verified/);
    expect(cli.stdout).toContain('1 with gaps');
    const target = await ws.nx(['run', 'www-ameide:verify']);
    expect(target.exitCode).not.toBe(0);
  });
});

describe('preflight', () => {
  let registry: RunningRegistry;
  let ws: TestWorkspace;

  beforeAll(async () => {
    registry = await startRegistry();
    // A plain-HTTP registry addressed over HTTPS: the seeds' "server gave HTTP response to HTTPS client".
    ws = makeWorkspace({
      manifest: twoServices(registry.host, '  insecure: false\n'),
      apps: ['platform-base', 'www-ameide'],
    });
  });

  afterAll(async () => {
    await registry?.stop();
    ws?.dispose();
  });

  it('names HTTP vs HTTPS with the fix, in seconds', async () => {
    const started = Date.now();
    const cli = await ws.cli(['preflight']);
    expect(cli.exitCode).toBe(1);
    expect(cli.stderr).toMatch(/HTTP/);
    expect(cli.stderr).toMatch(/insecure: true/);
    // A real CLI and registry: the bound says the TLS refusal was named at once, not after the
    // 10 s headers timeout or retries (no event to wait for short of that).
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('stops the run before any build, with a preflight row', async () => {
    const run = await ws.cli(['run', 'push']);
    expect(run.exitCode).not.toBe(0);
    const csv = readFileSync(join(ws.dir, 'artifacts', 'image-build-logs', 'build-summary-dev.csv'), 'utf8');
    expect(csv).toMatch(/platform-base,[^,]*,failed,preflight/);
    // The dependent never started: its row says why.
    expect(csv).toMatch(/www-ameide,[^,]*,failed/);
    const log = readFileSync(join(ws.dir, 'artifacts', 'image-build-logs', 'platform-base_dev.log'), 'utf8');
    expect(log).not.toContain('docker build');
    expect(existsSync(join(ws.dir, 'artifacts', '.imagefleet', 'builds', 'platform-base.json'))).toBe(false);
  });

  it('names a registry nothing listens at', async () => {
    const other = makeWorkspace({ manifest: twoServices('127.0.0.1:9'), apps: ['platform-base', 'www-ameide'] });
    try {
      const cli = await other.cli(['preflight']);
      expect(cli.exitCode).toBe(1);
      expect(cli.stderr).toMatch(/127\.0\.0\.1:9/);
    } finally {
      other.dispose();
    }
  });
});

describe('verification through the reference host', () => {
  it('checks the reference host too when it resolves, and names it when it lacks the image', async () => {
    const { startFaultProxy } = await import('../support/fault-proxy.js');
    const registry = await startRegistry();
    // The reference host is a proxy in front of the same registry that answers 404 for every
    // manifest: what a cluster would see through a mis-routed name (seed failure mode 5).
    const reference = await startFaultProxy({
      upstream: registry.host,
      rules: [
        (req) =>
          req.kind === 'manifest'
            ? {
                type: 'status',
                status: 404,
                body: JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }),
              }
            : undefined,
      ],
    });
    const manifest = `registry:\n  host: ${reference.host}\n  pushHost: ${registry.host}\n  namespace: ameide\nbuilder:\n  docker: /usr/bin/docker\nservices:\n  platform-base: {}\n`;
    const ws = makeWorkspace({ manifest, apps: ['platform-base'] });
    try {
      const run = await ws.nx(['run-many', '-t', 'push', '--outputStyle=stream']);
      expect(run.exitCode).not.toBe(0);
      const csv = readFileSync(join(ws.dir, 'artifacts', 'image-build-logs', 'build-summary-dev.csv'), 'utf8');
      expect(csv).toMatch(/platform-base,[^,]*,failed,verify/);
      expect(csv).toContain(`${reference.host}: `);
      expect(csv).toContain('missing-manifest');
      // Through the push host alone the image is complete.
      const direct = await fetch(`http://${registry.host}/v2/ameide/platform-base/manifests/dev`, {
        method: 'HEAD',
        headers: { Accept: ACCEPT },
      });
      expect(direct.status).toBe(200);
    } finally {
      await reference.stop();
      await registry.stop();
      ws.dispose();
    }
  });
});
