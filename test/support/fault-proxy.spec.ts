/**
 * The fault proxy against a real registry (Debian's docker-registry) and the real Docker engine:
 * `docker push 127.0.0.1:<proxy>/…` (dockerd talks plain HTTP to 127.0.0.0/8), checked on the
 * upstream registry over its HTTP API.
 *
 * Images are made with `docker import` from random bytes, so every push really uploads its
 * layer (no "Layer already exists", no cross-repository mount), and every registry is fresh.
 *
 * dockerd gives up on a layer whose uploads all fail only after ≈ 50 s (retries after 5, 10, 15,
 * 20 s), so that push is started in `beforeAll` and runs while the other tests do; the last test
 * collects it.
 */
import { MANIFEST_ACCEPT } from '@imagefleet/registry';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from './registry-server.js';
import { DOCKER, dockerAvailable, engineKind } from './workspace.js';
import {
  classify,
  delayAll,
  dropManifestPuts,
  failAll,
  resetEvery,
  stallFirst,
  startFaultProxy,
  throttle,
  type RunningFaultProxy,
} from './fault-proxy.js';

/** Image refs this file created, removed in afterAll. */
const createdRefs = new Set<string>();

/** A one-layer image of `bytes` random bytes, tagged `ref` (via `docker import`, no build). */
async function importRandomImage(ref: string, bytes = 300_000): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'imagefleet-fault-proxy-'));
  try {
    writeFileSync(join(dir, 'blob'), randomBytes(bytes));
    await execa('tar', ['-C', dir, '-cf', join(dir, 'layer.tar'), 'blob']);
    createdRefs.add(ref);
    await execa(DOCKER, ['import', join(dir, 'layer.tar'), ref]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface PushResult {
  exitCode: number | undefined;
  output: string;
  seconds: number;
}

async function dockerPush(ref: string, timeoutMs = 30_000): Promise<PushResult> {
  const t0 = Date.now();
  const r = await execa(DOCKER, ['push', ref], { reject: false, all: true, timeout: timeoutMs });
  return { exitCode: r.exitCode, output: r.all ?? '', seconds: (Date.now() - t0) / 1000 };
}

/** The digest `docker push` prints last: `<tag>: digest: sha256:… size: N`. */
const printedDigest = (output: string, tag: string): string | undefined =>
  new RegExp(`^${tag}: digest: (sha256:[a-f0-9]{64}) size: \\d+$`, 'm').exec(output)?.[1];

async function headManifest(
  registry: RunningRegistry,
  repo: string,
  ref: string,
): Promise<{ status: number; digest: string | null }> {
  const res = await fetch(`http://${registry.host}/v2/${repo}/manifests/${ref}`, {
    method: 'HEAD',
    headers: { accept: MANIFEST_ACCEPT },
  });
  return { status: res.status, digest: res.headers.get('docker-content-digest') };
}

const uniqueRepo = (what: string) => `fault-proxy/${what}-${randomBytes(4).toString('hex')}`;

/** Cleanups of the running test, run in afterEach (last first). */
let cleanups: (() => Promise<void>)[] = [];

async function freshRegistry(): Promise<RunningRegistry> {
  const registry = await startRegistry();
  cleanups.push(() => registry.stop());
  return registry;
}

async function registryWithProxy(): Promise<{ registry: RunningRegistry; proxy: RunningFaultProxy }> {
  const registry = await freshRegistry();
  const proxy = await startFaultProxy({ upstream: `http://${registry.host}` });
  cleanups.push(() => proxy.stop());
  return { registry, proxy };
}

afterEach(async () => {
  const list = cleanups.reverse();
  cleanups = [];
  for (const cleanup of list) await cleanup();
});

afterAll(async () => {
  for (const ref of createdRefs) await execa(DOCKER, ['image', 'rm', ref], { reject: false });
});

describe('fault proxy (no Docker)', () => {
  it('classifies requests and parses repositories with slashes', () => {
    expect(classify('GET', '/v2/')).toEqual({ repository: null, kind: 'ping', reference: null });
    expect(classify('POST', '/v2/ameide/agents-runtime/blobs/uploads/')).toMatchObject({
      repository: 'ameide/agents-runtime',
      kind: 'upload',
    });
    expect(classify('PATCH', '/v2/a/b/c/blobs/uploads/0b7e?_state=x')).toMatchObject({
      repository: 'a/b/c',
      kind: 'upload',
    });
    expect(classify('DELETE', '/v2/a/blobs/uploads/0b7e')).toMatchObject({ repository: 'a', kind: 'other' });
    expect(classify('HEAD', '/v2/a/b/blobs/sha256:00')).toMatchObject({ repository: 'a/b', kind: 'blob' });
    expect(classify('PUT', '/v2/a/b/manifests/dev')).toEqual({ repository: 'a/b', kind: 'manifest', reference: 'dev' });
    expect(classify('GET', '/v2/a/tags/list?n=2')).toMatchObject({ repository: 'a', kind: 'tags' });
    expect(classify('GET', '/v2/_catalog')).toMatchObject({ repository: null, kind: 'other' });
  });

  it('rewrites absolute upload Locations to itself, resets, stalls, and stops with stalled sockets held', async () => {
    const { registry, proxy } = await registryWithProxy();
    const post = await fetch(`http://${proxy.host}/v2/x/y/blobs/uploads/`, { method: 'POST' });
    expect(post.status).toBe(202);
    const location = post.headers.get('location') ?? '';
    expect(location.startsWith(`http://${proxy.host}/v2/x/y/blobs/uploads/`)).toBe(true);
    // Finish the upload through the rewritten Location: the blob lands upstream.
    const blob = randomBytes(1000);
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    const put = await fetch(`${location}${location.includes('?') ? '&' : '?'}digest=${digest}`, {
      method: 'PUT',
      body: blob,
    });
    expect(put.status).toBe(201);
    expect((await fetch(`http://${registry.host}/v2/x/y/blobs/${digest}`, { method: 'HEAD' })).status).toBe(200);

    proxy.setRules([resetEvery('tags', 2), stallFirst('ping', 1), failAll('other', 503)]);
    expect((await fetch(`http://${proxy.host}/v2/x/y/tags/list`)).status).toBe(404); // passed: no tags yet
    await expect(fetch(`http://${proxy.host}/v2/x/y/tags/list`)).rejects.toThrow();
    const catalog = await fetch(`http://${proxy.host}/v2/_catalog`);
    expect(catalog.status).toBe(503);
    expect(await catalog.json()).toMatchObject({ errors: [{ code: 'UNAVAILABLE' }] });

    const stalled = fetch(`http://${proxy.host}/v2/`).then(
      () => 'answered',
      () => 'failed',
    );
    // The proxy counts a fault when the request arrives: wait for that, bounded.
    for (let i = 0; i < 500 && proxy.stats.faults.stall === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(proxy.stats.faults.stall).toBe(1);
    await proxy.stop(); // returns although a connection is stalled (a hang fails by the test timeout)
    expect(await stalled).toBe('failed');
    expect(proxy.stats.faults).toMatchObject({ reset: 1, stall: 1, status: 1 });
  });

  it('throttle: an upload body reaches the registry at the given rate, intact; other requests are not slowed', async () => {
    const { registry, proxy } = await registryWithProxy();
    proxy.setRules(throttle('upload', 400_000));
    const post = await fetch(`http://${proxy.host}/v2/x/slow/blobs/uploads/`, { method: 'POST' });
    expect(post.status).toBe(202);
    const location = post.headers.get('location') ?? '';
    const blob = randomBytes(1_000_000);
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    const t1 = Date.now();
    const put = await fetch(`${location}${location.includes('?') ? '&' : '?'}digest=${digest}`, {
      method: 'PUT',
      body: blob,
    });
    const took = Date.now() - t1;
    expect(put.status).toBe(201);
    // 1 MB at 400 kB/s: 2.5 s (the first 1/20 s slice goes at once). This measures the real
    // throttle over real sockets, so a bound it is: the lower one proves the throttle, the upper
    // one (generous: the machine is shared) that it did not stall instead.
    expect(took).toBeGreaterThanOrEqual(2300);
    expect(took).toBeLessThan(10_000);
    expect(proxy.stats.faults.throttle).toBe(2);
    expect((await fetch(`http://${proxy.host}/v2/x/slow/blobs/${digest}`, { method: 'HEAD' })).status).toBe(200);
    expect(proxy.stats.faults.pass).toBe(1);
    const stored = Buffer.from(await (await fetch(`http://${registry.host}/v2/x/slow/blobs/${digest}`)).arrayBuffer());
    expect(stored.equals(blob)).toBe(true);
    expect(() => throttle('upload', 0)).toThrow(/bytesPerSecond/);
  });
});

describe('fault proxy in front of a real registry, pushed to by dockerd', () => {
  /** The ≈ 50 s push through "500 on every upload", started before the other tests. */
  let failing:
    { registry: RunningRegistry; proxy: RunningFaultProxy; repo: string; push: Promise<PushResult> } | undefined;

  beforeAll(async () => {
    if (!(await dockerAvailable())) throw new Error(`no Docker engine answers ${DOCKER}`);
    const registry = await startRegistry();
    const proxy = await startFaultProxy({ upstream: `http://${registry.host}`, rules: failAll('upload', 500) });
    const repo = uniqueRepo('fail500');
    const ref = `${proxy.host}/${repo}:t`;
    try {
      await importRandomImage(ref);
    } catch (err) {
      await proxy.stop();
      await registry.stop();
      throw err;
    }
    failing = { registry, proxy, repo, push: dockerPush(ref, 90_000) };
  });

  afterAll(async () => {
    if (!failing) return;
    await failing.push.catch(() => undefined);
    await failing.proxy.stop();
    await failing.registry.stop();
  });

  it('passes a push through: the image is in the upstream registry', async () => {
    const { registry, proxy } = await registryWithProxy();
    const repo = uniqueRepo('pass');
    const ref = `${proxy.host}/${repo}:t`;
    await importRandomImage(ref, 2_000_000);
    const push = await dockerPush(ref);
    expect(push.exitCode, push.output).toBe(0);
    const digest = printedDigest(push.output, 't');
    expect(digest, push.output).toBeDefined();

    const head = await headManifest(registry, repo, 't');
    expect(head).toEqual({ status: 200, digest });
    // The layer and config went through the proxy (POST, then PATCH + PUT on 20.10 or one PUT on
    // Docker 28, each), via the rewritten Location.
    expect(proxy.stats.requests.upload).toBeGreaterThanOrEqual(4);
    expect(proxy.stats.log.filter((e) => e.method === 'PATCH').every((e) => e.status === 202)).toBe(true);
    const manifest = (await (
      await fetch(`http://${registry.host}/v2/${repo}/manifests/t`, { headers: { accept: MANIFEST_ACCEPT } })
    ).json()) as {
      config: { digest: string; size: number };
      layers: { digest: string; size: number }[];
    };
    for (const blob of [manifest.config, ...manifest.layers]) {
      const res = await fetch(`http://${registry.host}/v2/${repo}/blobs/${blob.digest}`, { method: 'HEAD' });
      expect([res.status, Number(res.headers.get('content-length'))]).toEqual([200, blob.size]);
    }
    expect(proxy.stats.faults.pass).toBe(proxy.stats.log.length);
    expect(proxy.stats.pushIntervals).toMatchObject([{ repository: repo, endReason: 'manifest-put' }]);
  });

  it('fake-manifest-put: docker push exits 0 with a digest, the registry has no tag', async () => {
    const { registry, proxy } = await registryWithProxy();
    proxy.setRules(dropManifestPuts());
    const repo = uniqueRepo('fake');
    const ref = `${proxy.host}/${repo}:t`;
    await importRandomImage(ref);
    const push = await dockerPush(ref);
    expect(push.exitCode, push.output).toBe(0);
    expect(printedDigest(push.output, 't'), push.output).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(proxy.stats.faults['fake-manifest-put']).toBe(1);
    expect((await headManifest(registry, repo, 't')).status).toBe(404);
  });

  it('stats: two pushes at once count 2 concurrent pushes, one after the other count 1', async () => {
    const { proxy } = await registryWithProxy();
    // Hold each manifest PUT 1.5 s so that two pushes started together surely overlap.
    proxy.setRules(delayAll('manifest', 1500, 'PUT'));
    const repos = [uniqueRepo('conc-a'), uniqueRepo('conc-b')];
    const refs = repos.map((repo) => `${proxy.host}/${repo}:t`);
    await Promise.all(refs.map((ref) => importRandomImage(ref)));
    const pushes = await Promise.all(refs.map((ref) => dockerPush(ref)));
    for (const push of pushes) expect(push.exitCode, push.output).toBe(0);
    expect(proxy.stats.maxConcurrentPushes).toBe(2);
    expect(proxy.stats.inFlight()).toEqual([]);
    expect(proxy.stats.pushIntervals.map((i) => i.repository).sort()).toEqual([...repos].sort());
    expect(proxy.stats.pushIntervals.every((i) => i.endReason === 'manifest-put')).toBe(true);

    const sequential = await startFaultProxy({
      upstream: `http://${(await freshRegistry()).host}`,
      rules: delayAll('manifest', 300, 'PUT'),
    });
    cleanups.push(() => sequential.stop());
    for (const repo of repos) {
      const ref = `${sequential.host}/${repo}:t`;
      await importRandomImage(ref);
      const push = await dockerPush(ref);
      expect(push.exitCode, push.output).toBe(0);
    }
    expect(sequential.stats.maxConcurrentPushes).toBe(1);
    const [first, second] = sequential.stats.pushIntervals;
    expect(first!.end).not.toBeNull();
    expect(second!.start).toBeGreaterThanOrEqual(first!.end!);
  });

  it('stall with a time limit: 20.10 waits on the stalled upload, retries 5 s after it closes and pushes; Docker 28 fails the push', async () => {
    const engine = await engineKind();
    const { registry, proxy } = await registryWithProxy();
    proxy.setRules(stallFirst('upload', 1, 2000));
    const repo = uniqueRepo('stall');
    const ref = `${proxy.host}/${repo}:t`;
    await importRandomImage(ref);
    const push = await dockerPush(ref);
    const stalled = proxy.stats.log.find((e) => e.fault === 'stall')!;
    expect(stalled.status).toBeNull();
    expect(stalled.endedAt! - stalled.at).toBeGreaterThanOrEqual(1900);
    if (engine.containerdStore) {
      // No retry inside the engine: the whole push is the caller's to retry (libs/pipeline does).
      expect(push.exitCode, push.output).not.toBe(0);
      expect(push.output).toMatch(/EOF|reset|broken pipe/);
      return;
    }
    expect(push.exitCode, push.output).toBe(0);
    expect(push.output).toContain('Retrying in 5 seconds');
    expect(push.seconds).toBeGreaterThan(6.5);
    expect((await headManifest(registry, repo, 't')).status).toBe(200);
  });

  it('status 500 on every upload: docker push fails (20.10 after retrying for ≈ 50 s, Docker 28 at once)', async () => {
    const engine = await engineKind();
    const { registry, proxy, repo, push } = failing!;
    const result = await push;
    expect(result.exitCode, result.output).not.toBe(0);
    expect(result.output).toMatch(/500 Internal Server Error|fault-proxy: injected 500/);
    if (!engine.containerdStore) {
      expect(result.output).toMatch(/Retrying in \d+ seconds?/);
      // 1 try + 4 retries of the one layer, each answered 500 and never forwarded.
      expect(proxy.stats.requests.upload).toBeGreaterThanOrEqual(5);
    }
    expect(proxy.stats.faults.status).toBe(proxy.stats.requests.upload);
    expect(proxy.stats.requests.manifest).toBe(0);
    expect((await headManifest(registry, repo, 't')).status).toBe(404);
    console.info(
      `docker push through 500-on-every-upload failed after ${result.seconds.toFixed(1)} s, ${proxy.stats.requests.upload} upload requests`,
    );
  }, 120_000);
});
