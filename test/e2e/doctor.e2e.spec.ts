/**
 * `imagefleet doctor` end to end against real things: a test registry on loopback, this
 * machine's Docker engine, and (for the node's view) a private containerd. A healthy set-up
 * passes with exit 0; a registry holding `ameide/www_ameide` (seed failure mode 6), content
 * tags beyond `retention.keep`, and a push port held by a plain HTTP server that is not a
 * registry (seed failure mode 2) are each reported with their fix, exit 1.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { execa } from 'execa';
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
import { makeSelfSignedCert } from '../support/tls.js';
import { makeWorkspace, PLAIN_OUTPUT_ENV, stripAnsi, type TestWorkspace } from '../support/workspace.js';

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

  it('a reference host with a caFile while the registry speaks HTTP: fails with the fix (verify would fail every push with EPROTO)', async () => {
    const cert = await makeSelfSignedCert();
    try {
      const reference = `localhost:${registry.port}`;
      const text = `registry:\n  host: ${reference}\n  pushHost: ${registry.host}\n  namespace: test\n  hosts:\n    "${reference}":\n      caFile: ${cert.certFile}\nbuilder:\n  docker: /usr/bin/docker\nservices:\n  hello:\n    context: apps/hello\n`;
      const ws = workspace(text, 'hello');
      const res = await ws.cli(['doctor']);
      expect(res.exitCode, res.all).toBe(1);
      expect(res.stdout).toContain(`✓ registry ${registry.host}: answers /v2/ over HTTP`);
      expect(res.stdout).toContain(
        `✗ registry ${reference}: ${reference} speaks plain HTTP, but it was addressed over HTTPS (EPROTO) — registry.hosts["${reference}"].caFile (${cert.certFile}) makes imagefleet speak HTTPS to it: remove the caFile and set insecure: true for ${reference}, or serve TLS there`,
      );
    } finally {
      cert.dispose();
    }
  });

  it('registry.hosts usernameEnv that is not set: doctor says the client would fall back to other credentials', async () => {
    const text = `registry:\n  host: ${registry.host}\n  namespace: test\n  hosts:\n    "${registry.host}":\n      usernameEnv: DOCTOR_E2E_USER\n      passwordEnv: DOCTOR_E2E_PASSWORD\nbuilder:\n  docker: /usr/bin/docker\nservices:\n  hello:\n    context: apps/hello\n`;
    const ws = workspace(text, 'hello');
    const res = await ws.cli(['doctor'], { DOCTOR_E2E_PASSWORD: 'some-password' });
    expect(res.exitCode, res.all).toBe(1);
    expect(res.stdout).toContain(
      `✗ credentials ${registry.host}: registry.hosts["${registry.host}"].usernameEnv DOCTOR_E2E_USER is not set: the client falls back to IMAGEFLEET_REGISTRY_USER/PASSWORD or the docker config, not this host's own account — export DOCTOR_E2E_USER`,
    );
  });

  describe('the engine CLI is found the same way whether or not the shell sourced engine.env', () => {
    // A shell that never sourced .imagefleet/engine.env: none of the variables up.sh records.
    const plainShell = () =>
      Object.fromEntries(
        Object.entries({ ...process.env, ...PLAIN_OUTPUT_ENV }).filter(
          ([k]) => !['IMAGEFLEET_DOCKER', 'DOCKER_HOST', 'DOCKER_CONFIG', 'IMAGEFLEET_STATE_DIR'].includes(k),
        ),
      );
    const recordedWorkspace = (dockerHost: string) => {
      const text = `registry:\n  host: ${registry.host}\n  namespace: test\nbuilder:\n  driver: buildx\n  docker: /usr/bin/docker\nservices:\n  hello:\n    context: apps/hello\n`;
      const ws = workspace(text, 'hello');
      // The CLI up.sh recorded: says which it is and which config it was given.
      ws.write(
        '.imagefleet/fake-docker',
        '#!/bin/sh\n[ "$1 $2" = "buildx version" ] && echo "github.com/docker/buildx v0-recorded-cli DOCKER_CONFIG=$DOCKER_CONFIG" && exit 0\nexit 1\n',
      );
      chmodSync(path.join(ws.dir, '.imagefleet/fake-docker'), 0o755);
      ws.write(
        '.imagefleet/engine.env',
        `IMAGEFLEET_ENGINE=docker28\nDOCKER_HOST=${dockerHost}\nIMAGEFLEET_DOCKER=${path.join(ws.dir, '.imagefleet/fake-docker')}\nDOCKER_CONFIG=${path.join(ws.dir, '.imagefleet/docker-config')}\n`,
      );
      return ws;
    };
    const doctor = async (ws: TestWorkspace) => {
      const r = await execa(process.execPath, ['tools/cli/bin/imagefleet.mjs', 'doctor'], {
        cwd: ws.dir,
        env: plainShell(),
        extendEnv: false,
        reject: false,
      });
      return { exitCode: r.exitCode, stdout: stripAnsi(r.stdout), all: `${r.stdout}\n${r.stderr}` };
    };

    it('uses the recorded CLI with its recorded config, not builder.docker or the first docker on PATH', async () => {
      const ws = recordedWorkspace('unix:///var/run/docker.sock');
      const res = await doctor(ws);
      expect(res.stdout, res.all).toContain(
        `✓ buildx: github.com/docker/buildx v0-recorded-cli DOCKER_CONFIG=${path.join(ws.dir, '.imagefleet/docker-config')}`,
      );
    });

    it('talks to the recorded engine', async () => {
      const ws = recordedWorkspace('unix:///tmp/imagefleet-no-engine.sock');
      const res = await doctor(ws);
      expect(res.exitCode, res.all).toBe(1);
      expect(res.stdout).toMatch(/^✗ engine: no Docker engine at unix:\/\/\/tmp\/imagefleet-no-engine\.sock: /m);
    });
  });
});
