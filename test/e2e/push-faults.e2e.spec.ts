/**
 * Pushes that never hang, never exceed their limit, and always leave a truthful row — against
 * a fault-injecting proxy in front of the real registry, pushed to by the real engine.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../support/registry-server.js';
import {
  dropManifestPuts,
  delayAll,
  resetFirst,
  stallFirst,
  startFaultProxy,
  type FaultRule,
  type RunningFaultProxy,
} from '../support/fault-proxy.js';
import {
  ANY_MANIFEST,
  DOCKER,
  dockerAvailable,
  engineKind,
  makeWorkspace,
  type TestWorkspace,
  summaryRows,
} from '../support/workspace.js';

const LEAVES = [
  'agents-runtime',
  'inference-gateway',
  'workflows-runtime',
  'workflow-worker',
  'www-ameide',
  'www-ameide-platform',
];

interface Setup {
  registry: RunningRegistry;
  proxy: RunningFaultProxy;
  ws: TestWorkspace;
}
const started: Setup[] = [];

async function setup(opts: {
  rules?: FaultRule[];
  push?: string;
  concurrency?: number;
  services?: string[];
  salt?: string;
}): Promise<Setup> {
  const registry = await startRegistry();
  const proxy = await startFaultProxy({ upstream: registry.host, rules: opts.rules ?? [] });
  const services = opts.services ?? ['platform-base'];
  const entries = services
    .map((s) =>
      s === 'platform-base'
        ? '  platform-base: {}\n'
        : `  ${s}:\n    dependsOn: [platform-base]\n${s === 'agents-runtime' ? '    secrets: [GIT_AUTH_TOKEN]\n' : ''}`,
    )
    .join('');
  const manifest = `registry:\n  host: ${proxy.host}\n  pushHost: ${proxy.host}\n  namespace: ameide\nbuilder:\n  docker: ${DOCKER}\nconcurrency:\n  push: ${opts.concurrency ?? 2}\n${opts.push ?? ''}services:\n${entries}`;
  // A salt in the base makes every layer new to this registry: pushes really upload.
  const files = { 'apps/platform-base/salt.txt': opts.salt ?? `${Date.now()}-${Math.random()}` };
  const ws = makeWorkspace({
    manifest,
    apps: services,
    dotenv: 'GIT_AUTH_TOKEN=t0ken-for-tests\nGHCR_TOKEN=t0ken-2\n',
    files,
  });
  ws.write(
    'apps/platform-base/Dockerfile',
    `${readFileSync(join(ws.dir, 'apps/platform-base/Dockerfile'), 'utf8')}\nCOPY salt.txt /etc/salt.txt\n`,
  );
  const s = { registry, proxy, ws };
  started.push(s);
  return s;
}

const rows = summaryRows;

describe('pushes under faults', () => {
  beforeAll(async () => {
    if (!(await dockerAvailable())) throw new Error('no Docker engine answers: run `bash tools/dev-env/up.sh` first');
  });

  afterEach(async () => {
    for (const s of started.splice(0)) {
      await s.proxy.stop();
      await s.registry.stop();
      s.ws.dispose();
    }
  });

  it('never has more pushes in flight than concurrency.push, whatever --jobs says', async () => {
    // Slow manifest PUTs make every push last ≥ 1 s, so pushes that could overlap do.
    const { proxy, ws } = await setup({
      rules: [delayAll('manifest', 1000, 'PUT')],
      concurrency: 2,
      services: ['platform-base', ...LEAVES],
    });
    const run = await ws.nx(['run-many', '-t', 'push', '--jobs=8', '--outputStyle=stream']);
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
    const pushed = proxy.stats.pushIntervals.map((i) => i.repository);
    expect(new Set(pushed).size).toBe(7);
    console.log(
      `push limit 2 with --parallel=8: max concurrent pushes observed at the registry = ${proxy.stats.maxConcurrentPushes}`,
    );
    expect(proxy.stats.maxConcurrentPushes).toBe(2);
  });

  it('the same fleet with a limit of 6 does push 6 at once (the measurement can see it)', async () => {
    const { proxy, ws } = await setup({
      rules: [delayAll('manifest', 1500, 'PUT')],
      concurrency: 6,
      services: ['platform-base', ...LEAVES],
    });
    const run = await ws.nx(['run-many', '-t', 'push', '--jobs=8', '--outputStyle=stream']);
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
    expect(proxy.stats.maxConcurrentPushes).toBeGreaterThan(2);
  });

  it('a stalled upload: cancelled and retried until it lands where the engine can cancel it; on one that cannot, failed at once with the reason', async () => {
    // The first upload request stalls for 8 s (dockerd itself would wait forever without the close).
    const engine = await engineKind();
    const { ws } = await setup({
      rules: [stallFirst('upload', 1, 8000)],
      push: 'push:\n  stallSeconds: 3\n  retries: 4\n',
    });
    const run = await ws.nx(['run-many', '-t', 'push', '--outputStyle=stream']);
    const row = rows(ws)['platform-base']!;
    const log = readFileSync(join(ws.dir, 'artifacts/image-build-logs/platform-base_dev.log'), 'utf8');
    const at = (re: RegExp) => {
      const line = log.split('\n').find((l) => re.test(l));
      if (!line) throw new Error(`no line matching ${re} in the log:\n${log}`);
      return Date.parse(line.split(' ')[0]!);
    };
    const fired = at(/no upload progress for 3 s: stalled/) - at(/push attempt 1\/5 \(slot/);
    console.log(
      `stall watch (stallSeconds: 3) on Docker ${engine.version}: fired after ${(fired / 1000).toFixed(2)} s; push took ${row['push_seconds']} s in ${row['attempts']} attempt(s)`,
    );
    // The real engine's progress reports decide when the 3 s of silence start (push.spec has the
    // exact timeline on a fake clock): a bound, not before 3 s and well before the proxy's 8 s close.
    expect(fired).toBeGreaterThanOrEqual(3000);
    expect(fired).toBeLessThan(5000);
    if (engine.containerdStore) {
      expect(run.exitCode, run.all.slice(-3000)).toBe(0);
      expect(row).toMatchObject({ status: 'pushed', verify: 'verified' });
      expect(Number(row['attempts'])).toBeGreaterThanOrEqual(2);
      // Real time again: the stalled attempt (3 s), the backoff (1 s) and a retry, short of the 8 s
      // a push waiting on the stalled upload would take.
      expect(Number(row['push_seconds'])).toBeLessThan(3 + 5);
      expect(log).toMatch(/push attempt 1\/5 failed: no upload progress for 3 s: stalled, cancelled/);
    } else {
      expect(run.exitCode).not.toBe(0);
      expect(row).toMatchObject({ status: 'failed', phase: 'push', attempts: '1' });
      expect(row['line']).toMatch(/keeps the stalled upload, so retrying would wait on it/);
    }
  });

  it('survives transient connection resets', async () => {
    const { proxy, ws } = await setup({ rules: [resetFirst('upload', 2)] });
    const run = await ws.nx(['run-many', '-t', 'push', '--outputStyle=stream']);
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
    expect(proxy.stats.faults.reset).toBeGreaterThan(0);
    expect(rows(ws)['platform-base']!['status']).toBe('pushed');
    expect(rows(ws)['platform-base']!['verify']).toBe('verified');
  });

  it('a registry that answers 500 to every push ends as failed after the configured attempts, with the reason', async () => {
    const { registry, proxy, ws } = await setup({ push: 'push:\n  retries: 2\n' });
    const first = await ws.nx(['run-many', '-t', 'push', '--outputStyle=stream']);
    expect(first.exitCode, first.all.slice(-2000)).toBe(0);
    // Take the image out of the registry (blobs stay), then refuse every write.
    const digest = (
      await fetch(`http://${registry.host}/v2/ameide/platform-base/manifests/dev`, {
        method: 'HEAD',
        headers: { Accept: ANY_MANIFEST },
      })
    ).headers.get('docker-content-digest')!;
    expect(
      (await fetch(`http://${registry.host}/v2/ameide/platform-base/manifests/${digest}`, { method: 'DELETE' })).status,
    ).toBe(202);
    proxy.setRules([
      (req) =>
        req.method !== 'GET' && req.method !== 'HEAD' && req.kind !== 'ping'
          ? { type: 'status', status: 500 }
          : undefined,
    ]);
    const run = await ws.nx(['run-many', '-t', 'push', '--outputStyle=stream']);
    expect(run.exitCode).not.toBe(0);
    const row = rows(ws)['platform-base']!;
    expect(row['status']).toBe('failed');
    expect(row['phase']).toBe('push');
    expect(row['attempts']).toBe('3');
    expect(row['line']).toMatch(/push failed after 3 attempts: .*500/);
  });

  it('a proxy that answers the manifest PUT with 201 and stores nothing: failed/verify, non-zero exit', async () => {
    const { ws } = await setup({ rules: [dropManifestPuts()] });
    const run = await ws.nx(['run-many', '-t', 'push', '--outputStyle=stream']);
    expect(run.exitCode).not.toBe(0);
    const row = rows(ws)['platform-base']!;
    expect(row['status']).toBe('failed');
    expect(row['phase']).toBe('verify');
    expect(row['verify']).toBe('missing-manifest');
    expect(Number(row['attempts'])).toBe(1); // docker push itself said it succeeded
  });
});
