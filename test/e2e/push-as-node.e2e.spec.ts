/**
 * `nx run-many -t push --asNode=DIR`: after every push (or unchanged settle) the image is pulled
 * by the name workloads use, through a private containerd with the cluster's hosts.toml, as a
 * node does; a config the node cannot pull through fails the row with the node's own reason.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CTR_BIN, containerdAvailable, startContainerd, type RunningContainerd } from '../support/containerd.js';
import { startRegistry, type RunningRegistry } from '../support/registry-server.js';
import { DOCKER, makeWorkspace, type TestWorkspace } from '../support/workspace.js';

const NS = 'imagefleet-push-node-e2e';

describe('push --asNode: every pushed image pulled as a node pulls it', () => {
  let registry: RunningRegistry;
  let containerd: RunningContainerd;
  let ws: TestWorkspace;

  beforeAll(async () => {
    const missing = await containerdAvailable();
    if (missing) throw new Error(`cannot run a private containerd: ${missing}`);
    registry = await startRegistry();
    containerd = await startContainerd();
    ws = makeWorkspace({
      apps: ['platform-base'],
      // The reference host does not resolve: only the generated hosts.toml gets a node there.
      manifest: `registry:\n  host: k3d-node.localhost:${registry.port}\n  pushHost: ${registry.host}\n  namespace: ameide\nbuilder:\n  docker: ${DOCKER}\nservices:\n  platform-base: {}\n`,
    });
    const generated = await ws.cli(['cluster-config', '--for', 'containerd', '--out', 'cluster']);
    expect(generated.exitCode, generated.all).toBe(0);
    mkdirSync(join(ws.dir, 'empty-certs.d'), { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await containerd?.stop();
    await registry?.stop();
    ws?.dispose();
  });

  const push = (dir: string) =>
    ws.nx(
      ['run-many', '-t', 'push', `--asNode=${dir}`, `--containerd=${containerd.address}`, `--nodeNamespace=${NS}`],
      { IMAGEFLEET_CTR: CTR_BIN },
    );
  const row = () =>
    (
      JSON.parse(readFileSync(join(ws.dir, 'artifacts/image-build-logs/build-summary-dev.json'), 'utf8')) as {
        rows: { status: string; phase: string; error: string }[];
      }
    ).rows[0]!;

  it('with the generated hosts.toml the node pulls it: the row is pushed or unchanged, and verified', async () => {
    const run = await push('cluster');
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
    expect(row().status).toMatch(/^(pushed|unchanged)$/);
    const log = readFileSync(join(ws.dir, 'artifacts/image-build-logs/platform-base_dev.log'), 'utf8');
    expect(log).toMatch(
      new RegExp(`a node pulls k3d-node\\.localhost:${registry.port}/ameide/platform-base@sha256:[a-f0-9]{64}`),
    );
  }, 300_000);

  it("without a mirror for the reference host the node cannot pull: failed (verify) with the node's reason", async () => {
    const run = await push('empty-certs.d');
    expect(run.exitCode).not.toBe(0);
    expect(row()).toMatchObject({ status: 'failed', phase: 'verify' });
    expect(row().error).toMatch(
      /^a node cannot pull k3d-node\.localhost:\d+\/ameide\/platform-base@sha256:[a-f0-9]{64}: .*(no such host|lookup)/,
    );
  }, 300_000);
});
