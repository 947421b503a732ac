/**
 * `imagefleet doctor` end to end against real things: a test registry on loopback, this
 * machine's Docker engine, and (for the node's view) a private containerd. A healthy set-up
 * passes with exit 0; a registry holding `ameide/www_ameide` (seed failure mode 6), content
 * tags beyond `retention.keep`, and a push port held by a plain HTTP server that is not a
 * registry (seed failure mode 2) are each reported with their fix, exit 1.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CTR_BIN,
  containerdAvailable,
  pushRunnableImage,
  startContainerd,
  type RunningContainerd,
} from '../support/containerd.js';
import { startRegistry, type RunningRegistry } from '../support/registry-server.js';
import { makeWorkspace, type TestWorkspace } from '../support/workspace.js';

function manifest(pushHost: string, namespace: string, service: string, extra = ''): string {
  return `registry:\n  host: ${pushHost}\n  namespace: ${namespace}\nbuilder:\n  docker: /usr/bin/docker\n${extra}defaults:\n  tag: dev\nservices:\n  ${service}:\n    context: apps/${service}\n`;
}

describe('imagefleet doctor', () => {
  let registry: RunningRegistry;
  let containerd: RunningContainerd | undefined;
  let notARegistry: Server;
  let wrongPort: number;
  const workspaces: TestWorkspace[] = [];

  const workspace = (text: string, service: string) => {
    const ws = makeWorkspace({ manifest: text, apps: [], files: { [`apps/${service}/Dockerfile`]: 'FROM scratch\n' } });
    workspaces.push(ws);
    return ws;
  };

  beforeAll(async () => {
    registry = await startRegistry();
    await pushRunnableImage(registry.host, 'test/hello', 'dev');
    await pushRunnableImage(registry.host, 'ameide/www-ameide', 'dev');
    await pushRunnableImage(registry.host, 'ameide/www_ameide', 'dev'); // what the old script pushed
    for (const key of ['content-1', 'content-2', 'content-3'])
      await pushRunnableImage(registry.host, 'stale/hello', key);
    if (!(await containerdAvailable())) containerd = await startContainerd();
    // Something else on the registry's port: answers HTTP, is no registry.
    notARegistry = createServer((_, res) =>
      res.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>Not Found</h1>'),
    );
    await new Promise<void>((r) => notARegistry.listen(0, '127.0.0.1', r));
    wrongPort = (notARegistry.address() as AddressInfo).port;
  }, 60_000);

  afterAll(async () => {
    await containerd?.stop();
    await registry?.stop();
    await new Promise((r) => notARegistry?.close(r));
    for (const ws of workspaces) ws.dispose();
  });

  it('a healthy set-up passes every check with exit 0, in seconds; --as-node pulls one image as a node', async () => {
    const ws = workspace(manifest(registry.host, 'test', 'hello'), 'hello');
    const started = Date.now();
    const res = await ws.cli(['doctor']);
    expect(res.exitCode, res.all).toBe(0);
    // A real CLI against a real registry and containerd: no event says "no check waited out a
    // timeout" (connect 5 s, headers 10 s, retries), so a generous bound below their sum does.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(res.stdout).not.toContain('✗');
    for (const line of [
      `✓ resolve 127.0.0.1: an IP address (host, pushHost, builderHost)`,
      `✓ registry ${registry.host}: answers /v2/ over HTTP`,
      `✓ credentials ${registry.host}: none needed (anonymous access)`,
      `✓ port ${registry.port}: a registry (registry/2.0) holds ${registry.host}`,
      `✓ engine → ${registry.host} over HTTP: loopback (pushHost): the engine always allows plain HTTP there`,
      '✓ content tags: every service has at most 5 content-* tag(s) (retention.keep)',
    ])
      expect(res.stdout).toContain(line);
    expect(res.stdout).toMatch(/^✓ engine: Docker \S+ at /m);
    expect(res.stdout).toMatch(/^\d+ checks: all pass$/m);

    if (containerd) {
      const gen = await ws.cli(['cluster-config', '--for', 'containerd', '--out', 'cluster']);
      expect(gen.exitCode, gen.all).toBe(0);
      // host = pushHost on loopback: containerd needs no hosts.toml, so none is written; an empty certs.d is what a node has.
      expect(gen.stdout).toContain('wrote 0 file(s)');
      mkdirSync(path.join(ws.dir, 'cluster'), { recursive: true });
      const node = await ws.cli(
        ['doctor', '--as-node', 'cluster', '--containerd', containerd.address, '--namespace', 'doctor-e2e'],
        { IMAGEFLEET_CTR: CTR_BIN },
      );
      expect(node.exitCode, node.all).toBe(0);
      expect(node.stdout).toMatch(
        new RegExp(`^✓ node pull: ${registry.host}/test/hello@sha256:[0-9a-f]{64} pulled through cluster$`, 'm'),
      );
    }
  });

  it('underscore repositories under the namespace (ameide/www_ameide) are reported, exit 1', async () => {
    const ws = workspace(manifest(registry.host, 'ameide', 'www-ameide'), 'www-ameide');
    const res = await ws.cli(['doctor']);
    expect(res.exitCode).toBe(1);
    expect(res.stdout).toContain(
      '✗ repository names: 1 repository(ies) with "_" under ameide/: ameide/www_ameide (now ameide/www-ameide) — names use hyphens: point workloads at the hyphenated name, then delete the old repository (imagefleet prune, or DELETE its manifests)',
    );
    expect(res.stdout).toMatch(/^\d+ checks: 1 problem\(s\)$/m);
  });

  it('content tags beyond retention.keep: prune suggested', async () => {
    const ws = workspace(manifest(registry.host, 'stale', 'hello', 'retention:\n  keep: 2\n'), 'hello');
    const res = await ws.cli(['doctor']);
    expect(res.exitCode).toBe(1);
    expect(res.stdout).toContain(
      '✗ content tags: hello 3 content-* tags (retention.keep: 2) — imagefleet prune (--dry-run lists what would go)',
    );
  });

  it('the push port held by a plain HTTP server that is not a registry: reported with the fix, exit 1', async () => {
    const host = `127.0.0.1:${wrongPort}`;
    const ws = workspace(manifest(host, 'test', 'hello'), 'hello');
    const res = await ws.cli(['doctor']);
    expect(res.exitCode).toBe(1);
    expect(res.stdout).toContain(
      `✗ port ${wrongPort}: ${host} answers GET /v2/ with HTTP 404 and no Docker-Distribution-API-Version: not a registry — free port ${wrongPort} (who holds it: ss -ltnp 'sport = :${wrongPort}') or move the registry`,
    );
    expect(res.stdout).toMatch(new RegExp(`^✗ registry ${host}: .*not a registry API`, 'm'));
  });
});
