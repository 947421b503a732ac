/**
 * A node's pull, for real: a private containerd (Debian's 1.6) pulls an image from a registry on
 * loopback with `ctr images pull --hosts-dir <generated certs.d>`, named by a reference host that
 * does not resolve (`k3d-test.localhost:<port>`, as in a k3d setup), so only the generated mirror
 * can reach the registry. Broken configs fail with containerd's own words.
 * No Docker engine involved: the image goes in through the registry API.
 */
import { mkdtempSync, rmSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctrPullArgs, nodePullResult, writeClusterConfig } from '@imagefleet/cluster';
import { imageRepository, loadManifest, type Manifest } from '@imagefleet/manifest';
import { makeTree, removeTrees } from '@imagefleet/manifest/testing';
import {
  containerdAvailable,
  pushRunnableImage,
  startContainerd,
  type RunningContainerd,
} from '../support/containerd.js';
import { freePort, startRegistry, type RunningRegistry } from '../support/registry-server.js';

const NS = 'imagefleet-test';

async function manifestFor(host: string, pushHost: string, extra = ''): Promise<Manifest> {
  const root = makeTree({
    'services.manifest.yaml': `registry:\n  host: ${host}\n  pushHost: ${pushHost}\n  namespace: test\n${extra}services:\n  hello: {}\n`,
    'apps/hello/Dockerfile': 'FROM scratch\n',
  });
  return loadManifest(path.join(root, 'services.manifest.yaml'));
}

/** Digests and ports vary per run: name them, so messages can be compared whole. */
function normalise(text: string, ports: Record<string, number>): string {
  let out = text.replace(/sha256:[0-9a-f]{64}/g, 'sha256:<digest>');
  for (const [name, port] of Object.entries(ports)) out = out.replaceAll(String(port), `<${name}>`);
  return out;
}

describe('containerd pulls through the generated hosts.toml, as a node does', () => {
  let registry: RunningRegistry;
  let containerd: RunningContainerd;
  let digest: string;
  let referenceHost: string;
  let work: string;

  beforeAll(async () => {
    const missing = await containerdAvailable();
    if (missing) throw new Error(`cannot run a private containerd: ${missing}`);
    work = mkdtempSync(path.join(tmpdir(), 'imagefleet-cluster-e2e-'));
    registry = await startRegistry();
    containerd = await startContainerd();
    digest = (await pushRunnableImage(registry.host, 'test/hello', 'dev')).digest;
    referenceHost = `k3d-test.localhost:${registry.port}`;
  }, 60_000);

  afterAll(async () => {
    await containerd?.stop();
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
    removeTrees();
  });

  /** Generate the containerd config for `manifest` into a fresh dir, then pull the image by digest with it. */
  async function pull(manifest: Manifest, edit?: (certsD: string) => void, extraArgs: string[] = []) {
    const dir = mkdtempSync(path.join(work, 'out-'));
    const written = await writeClusterConfig(dir, manifest, 'containerd');
    const certsD = path.join(dir, 'certs.d');
    edit?.(certsD);
    const ref = `${manifest.registry.host}/${imageRepository(manifest, 'hello')}@${digest}`;
    await containerd.ctr(['-n', NS, 'images', 'rm', ref]);
    const result = await containerd.ctr(
      [...extraArgs, ...ctrPullArgs(ref, { hostsDir: certsD, namespace: NS })],
      60_000,
    );
    const outcome = nodePullResult(result.exitCode, result.stderr);
    return { result, ref, written, error: outcome.detail, status: outcome.status };
  }

  it('good config: the reference host mirrored to the registry on 127.0.0.1 pulls and unpacks', async () => {
    const manifest = await manifestFor(referenceHost, registry.host);
    const { result, ref, written, status } = await pull(manifest);
    expect(status).toBe('pulled');
    expect(Object.keys(written.files)).toEqual([`certs.d/${referenceHost}/hosts.toml`]);
    expect(result.ok, `${result.reason}\n${result.stderr}`).toBe(true);
    expect(result.stdout).toMatch(/unpacking linux\/\w+ sha256:/);
    const listed = await containerd.ctr(['-n', NS, 'images', 'ls', '-q']);
    expect(listed.stdout.split('\n')).toContain(ref);
  });

  it('wrong port (pushHost names a port where nothing listens): connection refused on the mirror', async () => {
    const wrong = await freePort();
    const { result, error, status } = await pull(await manifestFor(referenceHost, `127.0.0.1:${wrong}`));
    expect(result.ok).toBe(false);
    expect(status).toBe('refused');
    expect(normalise(error, { port: registry.port, wrong })).toBe(
      'ctr: failed to resolve reference "k3d-test.localhost:<port>/test/hello@sha256:<digest>": failed to do request: ' +
        'Head "http://127.0.0.1:<wrong>/v2/test/hello/manifests/sha256:<digest>?ns=k3d-test.localhost%3A<port>": ' +
        'dial tcp 127.0.0.1:<wrong>: connect: connection refused',
    );
  });

  it('https:// mirror for the HTTP registry (insecure: false): no fallback to HTTP in a hosts.toml mirror', async () => {
    const { result, written, error, status } = await pull(
      await manifestFor(referenceHost, registry.host, '  insecure: false\n'),
    );
    expect(status).toBe('https-to-http');
    expect(written.files[`certs.d/${referenceHost}/hosts.toml`]).toContain(`[host."https://${registry.host}"]`);
    expect(result.ok).toBe(false);
    expect(normalise(error, { port: registry.port })).toBe(
      'ctr: failed to resolve reference "k3d-test.localhost:<port>/test/hello@sha256:<digest>": failed to do request: ' +
        'Head "https://127.0.0.1:<port>/v2/test/hello/manifests/sha256:<digest>?ns=k3d-test.localhost%3A<port>": ' +
        'http: server gave HTTP response to HTTPS client',
    );
  });

  it.each([
    [
      'no hosts.toml for the reference host',
      (certsD: string, host: string) => rmSync(path.join(certsD, host), { recursive: true }),
    ],
    [
      'the directory named without its port',
      (certsD: string, host: string) =>
        renameSync(path.join(certsD, host), path.join(certsD, host.replace(/:\d+$/, ''))),
    ],
  ])('missing mirror (%s): containerd goes to the reference host itself, over https', async (_what, edit) => {
    const { result, error, status } = await pull(await manifestFor(referenceHost, registry.host), (certsD) =>
      edit(certsD, referenceHost),
    );
    expect(result.ok).toBe(false);
    expect(['unresolved', 'https-to-http']).toContain(status);
    const text = normalise(error, { port: registry.port });
    expect(text).toMatch(
      /^ctr: failed to resolve reference "k3d-test\.localhost:<port>\/test\/hello@sha256:<digest>": failed to do request: Head "https:\/\/k3d-test\.localhost:<port>\/v2\/test\/hello\/manifests\/sha256:<digest>": /,
    );
    // Here the name does not resolve; where `*.localhost` resolves to loopback (systemd-resolved)
    // the same request meets the HTTP registry with TLS instead.
    expect(text).toMatch(
      /dial tcp: lookup k3d-test\.localhost.*: no such host$|server misbehaving$|http: server gave HTTP response to HTTPS client$/,
    );
  });

  it('good config, image not in the registry: not found', async () => {
    const manifest = await manifestFor(referenceHost, registry.host);
    const dir = mkdtempSync(path.join(work, 'out-'));
    await writeClusterConfig(dir, manifest, 'containerd');
    const ref = `${referenceHost}/test/hello:absent`;
    const result = await containerd.ctr(
      ctrPullArgs(ref, { hostsDir: path.join(dir, 'certs.d'), namespace: NS }),
      60_000,
    );
    const outcome = nodePullResult(result.exitCode, result.stderr);
    expect(outcome.status).toBe('not-found');
    expect(normalise(outcome.detail, { port: registry.port })).toBe(
      'ctr: failed to resolve reference "k3d-test.localhost:<port>/test/hello:absent": k3d-test.localhost:<port>/test/hello:absent: not found',
    );
  });

  it('the push host itself needs no hosts.toml: ctr 1.6 speaks plain HTTP to 127.0.0.1:<port> from the start', async () => {
    const manifest = await manifestFor(registry.host, registry.host);
    const { result, written } = await pull(manifest, undefined, ['--debug']);
    expect(written.files).toEqual({});
    expect(result.ok, result.stderr.slice(-2000)).toBe(true);
    // No HTTPS attempt at all (newer containerd tries HTTPS first and falls back on an HTTP answer).
    expect(result.stderr).toContain(`http://${registry.host}/v2/test/hello/`);
    expect(result.stderr).not.toContain(`https://${registry.host}`);
  });
});
