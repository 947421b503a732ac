import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadManifest } from '@imagefleet/manifest';
import { makeTree, removeTrees } from '@imagefleet/manifest/testing';
import { pullAsNode, resolveHostsDir } from './node-pull.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** A workspace, a file standing in for containerd's socket, a certs.d, and a fake `ctr` that records its arguments. */
async function setup(ctrScript: string) {
  const root = makeTree({
    'services.manifest.yaml':
      'registry:\n  host: k3d-test.localhost:5001\n  pushHost: localhost:5001\n  namespace: test\nservices:\n  hello: {}\n',
    'apps/hello/Dockerfile': 'FROM scratch\n',
    'containerd.sock': '',
    'out/certs.d/k3d-test.localhost:5001/hosts.toml': 'server = "http://localhost:5001"\n',
  });
  const ctr = path.join(root, 'ctr');
  writeFileSync(ctr, `#!/bin/sh\necho "$@" > "${root}/args"\n${ctrScript}\n`);
  chmodSync(ctr, 0o755);
  const manifest = await loadManifest(path.join(root, 'services.manifest.yaml'));
  const ctx = { manifest, repository: 'test/hello', env: {}, signal: new AbortController().signal };
  const opts = {
    hostsDir: path.join(root, 'out'),
    address: path.join(root, 'containerd.sock'),
    namespace: 'k8s.io',
    ctr,
  };
  return { root, ctx, opts, args: () => readFileSync(path.join(root, 'args'), 'utf8').trim() };
}

afterEach(removeTrees);

describe('pullAsNode', () => {
  it('pulls the reference name by digest with ctr --hosts-dir (the certs.d under a cluster-config --out dir)', async () => {
    const { root, ctx, opts, args } = await setup('exit 0');
    const outcome = await pullAsNode(ctx, DIGEST, opts);
    expect(outcome).toEqual({
      status: 'pulled',
      detail: '',
      hint: '',
      reference: `k3d-test.localhost:5001/test/hello@${DIGEST}`,
    });
    expect(args()).toBe(
      `--connect-timeout 5s --address ${root}/containerd.sock -n k8s.io images pull --hosts-dir ${root}/out/certs.d k3d-test.localhost:5001/test/hello@${DIGEST}`,
    );
  });

  it("a failed pull is the node's own last line and a hint", async () => {
    const line = 'ctr: failed to resolve reference "x": dial tcp 127.0.0.1:5999: connect: connection refused';
    const { ctx, opts } = await setup(`echo 'INFO[0000] resolving' >&2\necho '${line}' >&2\nexit 1`);
    const outcome = await pullAsNode(ctx, DIGEST, opts);
    expect(outcome.status).toBe('refused');
    expect(outcome.detail).toBe(line);
    expect(outcome.hint).toMatch(/pushHost/);
  });

  it('no containerd socket: says where it looked and how to name another', async () => {
    const { ctx, opts } = await setup('exit 0');
    const outcome = await pullAsNode(ctx, DIGEST, { ...opts, address: '/nonexistent/containerd.sock' });
    expect(outcome).toMatchObject({
      status: 'no-containerd',
      detail: 'no containerd socket at /nonexistent/containerd.sock',
    });
    expect(outcome.hint).toContain('--containerd SOCK');
  });

  it('no hosts directory: says how to write one', async () => {
    const { root, ctx, opts } = await setup('exit 0');
    const outcome = await pullAsNode(ctx, DIGEST, { ...opts, hostsDir: path.join(root, 'missing') });
    expect(outcome.status).toBe('no-hosts-dir');
    expect(outcome.hint).toBe(`write it first: imagefleet cluster-config --for containerd --out ${root}/missing`);
  });

  it('a ctr that does not finish in time is a failed pull with the reason', async () => {
    const { ctx, opts } = await setup('sleep 5');
    const outcome = await pullAsNode(ctx, DIGEST, { ...opts, timeoutMs: 300 });
    expect(outcome.status).toBe('failed');
    expect(outcome.detail).toMatch(/timed out/);
  });
});

describe('resolveHostsDir', () => {
  it('takes a cluster-config --out dir (with certs.d/) or certs.d itself', () => {
    const root = makeTree({ 'out/certs.d/h:1/hosts.toml': '', 'plain/h:1/hosts.toml': '' });
    expect(resolveHostsDir(path.join(root, 'out'))).toBe(path.join(root, 'out', 'certs.d'));
    expect(resolveHostsDir(path.join(root, 'plain'))).toBe(path.join(root, 'plain'));
    mkdirSync(path.join(root, 'empty'));
    expect(resolveHostsDir(path.join(root, 'empty'))).toBe(path.join(root, 'empty'));
  });

  it('is absolute: ctr 2.x resolves a relative --hosts-dir in the daemon, which then silently uses its defaults', () => {
    const root = makeTree({ 'out/certs.d/h:1/hosts.toml': '' });
    const relative = path.relative(process.cwd(), path.join(root, 'out'));
    expect(resolveHostsDir(relative)).toBe(path.join(root, 'out', 'certs.d'));
    expect(resolveHostsDir('certs.d-that-is-not-there')).toBe(path.resolve('certs.d-that-is-not-there'));
  });
});
