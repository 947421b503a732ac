/**
 * Issue 11, rows 3 and 6, against the real engine and registries on loopback:
 *
 * - row 3: a stall is no upload progress, not silence. A 400 MB layer of random bytes (it does
 *   not compress) is pushed through the fault proxy throttled to 20 MB/s — ≈ 20 s in which the
 *   engine says nothing but bytes — with `push.stallSeconds: 6`: it lands in one attempt, and the
 *   per-service progress line (`push X of Y MB`) is shown. The same image with its first upload
 *   request stalled is still caught within stallSeconds (and retried where the engine can cancel).
 * - row 6: credentials the tool resolves (IMAGEFLEET_REGISTRY_USER/_PASSWORD, an empty
 *   DOCKER_CONFIG: no docker login) reach the engine's push; a wrong password fails at once with
 *   the fix, not after 4 attempts with backoff.
 *
 * The 400 MB image is removed from the engine afterwards (its build cache too).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statfsSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { startRegistry, type RunningRegistry } from '../support/registry-server.js';
import {
  stallFirst,
  startFaultProxy,
  throttle,
  type FaultRule,
  type RunningFaultProxy,
} from '../support/fault-proxy.js';
import {
  DOCKER,
  dockerAvailable,
  engineKind,
  makeWorkspace,
  type TestWorkspace,
  summaryRows,
} from '../support/workspace.js';

const BIG = 'big-layer';
const BIG_BYTES = 400_000_000;
const STALL_SECONDS = 6;
/** The throttled upload: 400 MB at 20 MB/s ≈ 20 s, well over stallSeconds. */
const THROTTLE_BYTES_PER_SECOND = 20_000_000;

/** Cleanups of the running test, last first. */
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  // Every tag of the big image this file made (pushHosts differ per test), then its build cache.
  const images = await execa(DOCKER, ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'], { reject: false });
  // The build's local tag (`ameide/big-layer:dev`) and any `<host>/ameide/big-layer:…` left behind.
  const refs = images.stdout.split('\n').filter((r) => new RegExp(`(^|/)ameide/${BIG}:`).test(r));
  if (refs.length) await execa(DOCKER, ['image', 'rm', '-f', ...refs], { reject: false });
  // The RUN step's cache record (≈ 800 MB): by id, found by its description.
  const df = await execa(DOCKER, ['system', 'df', '-v', '--format', '{{json .BuildCache}}'], { reject: false });
  let cache: { ID?: string; Description?: string }[] = [];
  try {
    cache = JSON.parse(df.stdout || '[]') as typeof cache;
  } catch {
    // an engine without build cache details: nothing to prune here
  }
  for (const record of cache.filter((c) => c.ID && c.Description?.includes(`head -c ${BIG_BYTES} /dev/urandom`))) {
    await execa(DOCKER, ['builder', 'prune', '-f', '--filter', `id=${record.ID}`], { reject: false });
  }
}, 60_000);

function bigLayerWorkspace(pushHost: string, push: string): TestWorkspace {
  const manifest = `registry:\n  host: ${pushHost}\n  pushHost: ${pushHost}\n  namespace: ameide\n  insecure: true\nbuilder:\n  docker: ${DOCKER}\nconcurrency:\n  push: 1\n${push}services:\n  ${BIG}:\n    context: apps/${BIG}\n`;
  const dockerfile = [
    'FROM scratch',
    'COPY busybox /bin/busybox',
    // Random bytes: the layer does not compress, so ≈ 400 MB really travel.
    `RUN ["/bin/busybox", "sh", "-c", "/bin/busybox head -c ${BIG_BYTES} /dev/urandom > /big"]`,
    '',
  ].join('\n');
  const ws = makeWorkspace({ manifest, apps: [], files: { [`apps/${BIG}/Dockerfile`]: dockerfile } });
  copyFileSync('/bin/busybox', join(ws.dir, 'apps', BIG, 'busybox'));
  cleanups.push(() => ws.dispose());
  return ws;
}

async function registryBehindProxy(
  rules: FaultRule[],
): Promise<{ registry: RunningRegistry; proxy: RunningFaultProxy }> {
  const registry = await startRegistry();
  cleanups.push(() => registry.stop());
  const proxy = await startFaultProxy({ upstream: registry.host, rules });
  cleanups.push(() => proxy.stop());
  return { registry, proxy };
}

const rows = summaryRows;

function serviceLog(ws: TestWorkspace, service: string): { text: string; lines: { at: number; text: string }[] } {
  const text = readFileSync(join(ws.dir, 'artifacts', 'image-build-logs', `${service}_dev.log`), 'utf8');
  const lines = text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const space = l.indexOf(' ');
      return { at: Date.parse(l.slice(0, space)), text: l.slice(space + 1) };
    });
  return { text, lines };
}

function lineAt(log: ReturnType<typeof serviceLog>, re: RegExp): number {
  const line = log.lines.find((l) => re.test(l.text));
  if (!line) throw new Error(`no line matching ${re} in the log:\n${log.text.slice(-4000)}`);
  return line.at;
}

describe('push progress: a slow large layer is not a stall, a stalled one is (issue 11 row 3)', () => {
  beforeAll(async () => {
    if (!(await dockerAvailable())) throw new Error('no Docker engine answers: run `bash tools/dev-env/up.sh` first');
    // The image (≈ 400 MB in the engine, its build cache, and a compressed copy) and the registry's copies.
    // The engine's own data root: Docker 28 here keeps it under .imagefleet, not /var/lib/docker.
    const root = (await execa(DOCKER, ['info', '--format', '{{.DockerRootDir}}'])).stdout.trim();
    for (const dir of [root, tmpdir()]) {
      const fs = statfsSync(dir);
      const free = fs.bavail * fs.bsize;
      if (free < 4e9) throw new Error(`${dir} has ${(free / 1e9).toFixed(1)} GB free; this file needs 4 GB`);
    }
  });

  it(`a 400 MB layer throttled to 20 MB/s pushes with stallSeconds: ${STALL_SECONDS} in one attempt, showing its progress`, async () => {
    const { proxy } = await registryBehindProxy([throttle('upload', THROTTLE_BYTES_PER_SECOND)]);
    const ws = bigLayerWorkspace(proxy.host, `push:\n  stallSeconds: ${STALL_SECONDS}\n  retries: 3\n`);
    const run = await ws.nx(['run-many', '-t', 'push', '--outputStyle=stream']);
    const row = rows(ws)[BIG]!;
    const log = serviceLog(ws, BIG);
    expect(run.exitCode, `${run.all.slice(-3000)}\n${log.text.slice(-3000)}`).toBe(0);
    expect(row).toMatchObject({ status: 'pushed', attempts: '1', verify: 'verified' });
    expect(log.text).not.toMatch(/no upload progress/);

    // It really was slow: the registry saw the layer's body arrive over ≥ 15 s.
    const pushSeconds = Number(row['push_seconds']);
    const bodies = proxy.stats.log.filter((e) => e.fault === 'throttle' && e.method !== 'POST' && e.endedAt !== null);
    const longest = Math.max(...bodies.map((e) => e.endedAt! - e.at)) / 1000;
    // The engine's own lines (state changes only) are far apart while bytes flow: silence, not a stall.
    const start = lineAt(log, /push attempt 1\/4 \(slot/);
    const during = log.lines.filter((l) => l.at >= start);
    const silence = Math.max(...during.slice(1).map((l, i) => l.at - during[i]!.at)) / 1000;
    const progress = [...run.all.matchAll(new RegExp(`\\[${BIG}\\] push (\\d+\\.\\d) of (\\d+\\.\\d) MB`, 'g'))];
    console.log(
      `400 MB layer at 20 MB/s, stallSeconds ${STALL_SECONDS}: pushed in ${pushSeconds} s (1 attempt); longest upload request ${longest.toFixed(1)} s; ` +
        `longest gap between log lines ${silence.toFixed(1)} s; ${progress.length} progress lines, e.g. "${progress.find((m) => Number(m[1]) > BIG_BYTES / 2e6)?.[0] ?? '-'}"`,
    );
    expect(longest).toBeGreaterThanOrEqual(15);
    expect(pushSeconds).toBeGreaterThanOrEqual(15);
    // A silence-based watch (the old code) would have killed this push after 6 s.
    expect(silence).toBeGreaterThan(STALL_SECONDS);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    const totals = progress.map((m) => Number(m[2]));
    expect(Math.max(...totals)).toBeGreaterThanOrEqual(BIG_BYTES / 1e6);
    const done = progress.map((m) => Number(m[1]));
    expect(done.some((d) => d > 0 && d < BIG_BYTES / 1e6)).toBe(true);
  }, 180_000);

  it(`the same layer with the uploads of its first attempt stalled: caught ${STALL_SECONDS} s into the attempt, then retried`, async () => {
    const engine = await engineKind();
    // Every upload request of the first attempt stalls — stallFirst('upload', 1) alone may hit an
    // attestation blob the engine does not report, after the layers made progress — from the first
    // one until stallSeconds + 1 s later (attempt 2 starts after the cancel and a 1 s backoff). A
    // stalled request is closed by the proxy only after 30 s: anything earlier is the watch.
    let firstStall = 0;
    const stallFirstAttempt: FaultRule = (req) => {
      if (req.kind !== 'upload') return undefined;
      firstStall ||= Date.now();
      return Date.now() - firstStall < (STALL_SECONDS + 1) * 1000
        ? stallFirst('upload', Infinity, 30_000)(req)
        : undefined;
    };
    const { proxy } = await registryBehindProxy([stallFirstAttempt, throttle('upload', 4 * THROTTLE_BYTES_PER_SECOND)]);
    const ws = bigLayerWorkspace(proxy.host, `push:\n  stallSeconds: ${STALL_SECONDS}\n  retries: 2\n`);
    const run = await ws.nx(['run-many', '-t', 'push', '--outputStyle=stream']);
    const row = rows(ws)[BIG]!;
    const log = serviceLog(ws, BIG);
    expect(proxy.stats.faults.stall, log.text.slice(-3000)).toBeGreaterThanOrEqual(1);
    const fired =
      lineAt(log, new RegExp(`no upload progress for ${STALL_SECONDS} s: stalled`)) -
      lineAt(log, /push attempt 1\/3 \(slot/);
    const stalledAt = proxy.stats.log.find((e) => e.fault === 'stall')!;
    const stalls = proxy.stats.log.filter((e) => e.fault === 'stall');
    console.log(
      `stalled upload on Docker ${engine.version}, stallSeconds ${STALL_SECONDS}: caught ${(fired / 1000).toFixed(2)} s after the attempt started ` +
        `(${((lineAt(log, /no upload progress/) - stalledAt.at) / 1000).toFixed(2)} s after the first of ${stalls.length} stalled requests arrived); row ${row['status']} in ${row['attempts']} attempt(s), push ${row['push_seconds']} s`,
    );
    const attemptLines = log.text.slice(log.text.indexOf('push attempt 1/3 (slot'));
    // The real engine against a real throttled registry: the watch fires exactly stallSeconds after
    // the engine's last progress report (push.spec says so on a fake clock); when that report came
    // is the engine's business, so here a bound: not before stallSeconds, and well before the
    // proxy's own 30 s close.
    expect(fired, attemptLines.slice(0, 3000)).toBeGreaterThanOrEqual(STALL_SECONDS * 1000);
    expect(fired, attemptLines.slice(0, 3000)).toBeLessThan((STALL_SECONDS + 2) * 1000);
    if (engine.containerdStore) {
      expect(run.exitCode, run.all.slice(-3000)).toBe(0);
      expect(row).toMatchObject({ status: 'pushed', verify: 'verified', attempts: '2' });
      expect(log.text).toMatch(
        new RegExp(`push attempt 1/3 failed: no upload progress for ${STALL_SECONDS} s: stalled, cancelled`),
      );
    } else {
      expect(run.exitCode).not.toBe(0);
      expect(row).toMatchObject({ status: 'failed', phase: 'push', attempts: '1' });
      expect(row['line']).toMatch(/keeps the stalled upload, so retrying would wait on it/);
    }
  }, 180_000);
});

describe('credentials the tool resolves reach the engine (issue 11 row 6)', () => {
  const USER = 'fleet';
  const PASSWORD = 's3cret-pw';

  async function authWorkspace(): Promise<{
    registry: RunningRegistry;
    ws: TestWorkspace;
    env: Record<string, string>;
  }> {
    const registry = await startRegistry({ htpasswd: { user: USER, password: PASSWORD } });
    cleanups.push(() => registry.stop());
    const manifest = `registry:\n  host: ${registry.host}\n  pushHost: ${registry.host}\n  namespace: ameide\n  insecure: true\nbuilder:\n  docker: ${DOCKER}\npush:\n  retries: 3\nservices:\n  platform-base: {}\n`;
    // A salt: the layers are new to the engine's view of this registry, the push really uploads.
    const ws = makeWorkspace({
      manifest,
      apps: ['platform-base'],
      files: { 'apps/platform-base/salt.txt': `${Date.now()}-${Math.random()}` },
    });
    cleanups.push(() => ws.dispose());
    ws.write(
      'apps/platform-base/Dockerfile',
      `${readFileSync(join(ws.dir, 'apps/platform-base/Dockerfile'), 'utf8')}\nCOPY salt.txt /etc/salt.txt\n`,
    );
    // No docker login anywhere: a docker config directory without config.json. It keeps the CLI's
    // plugins (Docker 28's CLI builds through buildx, found in the engine's DOCKER_CONFIG).
    const dockerConfig = mkdtempSync(join(tmpdir(), 'imagefleet-empty-docker-config-'));
    cleanups.push(() => rmSync(dockerConfig, { recursive: true, force: true }));
    const plugins = process.env['DOCKER_CONFIG'] ? join(process.env['DOCKER_CONFIG'], 'cli-plugins') : '';
    if (plugins && existsSync(plugins)) symlinkSync(plugins, join(dockerConfig, 'cli-plugins'));
    return {
      registry,
      ws,
      env: { DOCKER_CONFIG: dockerConfig, IMAGEFLEET_REGISTRY_USER: USER, IMAGEFLEET_REGISTRY_PASSWORD: PASSWORD },
    };
  }

  it('IMAGEFLEET_REGISTRY_USER/_PASSWORD and no docker login: preflight passes and the push lands', async () => {
    const { registry, ws, env } = await authWorkspace();
    const preflight = await ws.cli(['preflight'], env);
    expect(preflight.exitCode, preflight.all).toBe(0);
    const run = await ws.nx(['run-many', '-t', 'push', '--outputStyle=stream'], env);
    const row = rows(ws)['platform-base']!;
    expect(run.exitCode, `${run.all.slice(-3000)}\n${row['line']}`).toBe(0);
    expect(row).toMatchObject({ status: 'pushed', attempts: '1', verify: 'verified' });
    expect(run.all).not.toMatch(/no basic auth credentials/);
    expect(existsSync(join(env['DOCKER_CONFIG']!, 'config.json'))).toBe(false);
    // The registry holds it, and only with the credentials.
    const anonymous = await fetch(`http://${registry.host}/v2/ameide/platform-base/manifests/dev`, { method: 'HEAD' });
    expect(anonymous.status).toBe(401);
    const authed = await fetch(`http://${registry.host}/v2/ameide/platform-base/manifests/dev`, {
      method: 'HEAD',
      headers: {
        authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`,
        accept:
          'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
      },
    });
    expect(authed.status).toBe(200);
    expect(authed.headers.get('docker-content-digest')).toBe(row['digest']);
    console.log(
      `htpasswd registry, credentials from the environment, empty DOCKER_CONFIG: pushed in ${row['push_seconds']} s, 1 attempt, verified`,
    );
  }, 120_000);

  it('a wrong password: failed at once with the fix, not retried', async () => {
    const { ws, env } = await authWorkspace();
    const t0 = Date.now();
    const run = await ws.nx(['run-many', '-t', 'push', '--outputStyle=stream'], {
      ...env,
      IMAGEFLEET_REGISTRY_PASSWORD: 'wrong-password',
    });
    const seconds = (Date.now() - t0) / 1000;
    const row = rows(ws)['platform-base']!;
    console.log(
      `wrong password: ${row['status']} (${row['phase']}) after ${seconds.toFixed(1)} s, attempts ${row['attempts'] || 0}: ${row['line']}`,
    );
    expect(run.exitCode).not.toBe(0);
    expect(row['status']).toBe('failed');
    expect(['preflight', 'push']).toContain(row['phase']);
    expect(Number(row['attempts'] || 0)).toBeLessThanOrEqual(1);
    expect(row['line']).toMatch(/IMAGEFLEET_REGISTRY_USER|docker login/);
    expect(row['line']).not.toMatch(/wrong-password/);
    expect(run.all).not.toMatch(/retrying in/i);
  }, 120_000);
});
