/**
 * `imagefleet verify --as-node DIR` end to end: a private containerd (Debian's 1.6, its own
 * socket), a test registry on loopback holding an image pushed through the registry API, a
 * workspace whose images are named by a reference host that does not resolve
 * (`k3d-test.localhost:<port>`, as in k3d), and the hosts.toml written by `imagefleet
 * cluster-config --for containerd`. A good config pulls; each broken one fails with the node's
 * own reason in the output and a non-zero exit.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CTR_BIN,
  containerdAvailable,
  pushRunnableImage,
  startContainerd,
  type RunningContainerd,
} from '../support/containerd.js';
import { freePort, startRegistry, type RunningRegistry } from '../support/registry-server.js';
import { makeWorkspace, type TestWorkspace } from '../support/workspace.js';

const NS = 'imagefleet-node-e2e';

function manifest(host: string, pushHost: string, extra = ''): string {
  return `registry:\n  host: ${host}\n  pushHost: ${pushHost}\n  namespace: test\n${extra}defaults:\n  tag: dev\nservices:\n  hello:\n    context: apps/hello\n`;
}

describe('verify --as-node: the verified digest pulled through real containerd with the generated hosts.toml', () => {
  let registry: RunningRegistry;
  let containerd: RunningContainerd;
  let ws: TestWorkspace;
  let digest: string;
  let referenceHost: string;

  beforeAll(async () => {
    const missing = await containerdAvailable();
    if (missing) throw new Error(`cannot run a private containerd: ${missing}`);
    registry = await startRegistry();
    containerd = await startContainerd();
    digest = (await pushRunnableImage(registry.host, 'test/hello', 'dev')).digest;
    referenceHost = `k3d-test.localhost:${registry.port}`;
    const wrongPort = await freePort();
    ws = makeWorkspace({
      manifest: manifest(referenceHost, registry.host),
      apps: [],
      files: {
        'apps/hello/Dockerfile': 'FROM scratch\n',
        // The same workspace as other manifests would wire it: for generating broken configs only.
        'wrong-port.manifest.yaml': manifest(referenceHost, `127.0.0.1:${wrongPort}`),
        'https.manifest.yaml': manifest(referenceHost, registry.host, '  insecure: false\n'),
      },
    });
  }, 60_000);

  afterAll(async () => {
    await containerd?.stop();
    await registry?.stop();
    ws?.dispose();
  });

  const env = () => ({ IMAGEFLEET_CTR: CTR_BIN });
  const verifyAsNode = (dir: string) =>
    ws.cli(['verify', '--as-node', dir, '--containerd', containerd.address, '--namespace', NS], env());
  const ref = () => `${referenceHost}/test/hello@${digest}`;

  async function generate(out: string, manifestFile?: string) {
    const res = await ws.cli([
      'cluster-config',
      '--for',
      'containerd',
      '--out',
      out,
      ...(manifestFile ? ['--manifest', manifestFile] : []),
    ]);
    expect(res.exitCode, res.all).toBe(0);
    return res;
  }

  async function forget() {
    await containerd.ctr(['-n', NS, 'images', 'rm', ref()]);
  }

  it('cluster-config writes certs.d/<host:port>/hosts.toml and lists it; verify --as-node pulls with it (exit 0)', async () => {
    const res = await generate('good');
    expect(res.stdout).toContain(`wrote 1 file(s) under ${path.join(ws.dir, 'good')}:`);
    expect(res.stdout).toContain(`  good/certs.d/${referenceHost}/hosts.toml`);
    await forget();
    const verify = await verifyAsNode('good');
    expect(verify.exitCode, verify.all).toBe(0);
    expect(verify.stdout).toMatch(/^service\s+status\s+node\s+digest\s+detail$/m);
    expect(verify.stdout).toMatch(/^hello\s+verified\s+pulled\s+sha256:/m);
    expect(verify.stdout).toContain('1 image(s): 1 verified, 0 with gaps; as a node: 1 pulled, 0 not');
    const listed = await containerd.ctr(['-n', NS, 'images', 'ls', '-q']);
    expect(listed.stdout.split('\n')).toContain(ref());
  });

  it('the certs.d directory itself works as DIR too', async () => {
    await generate('good2');
    const verify = await verifyAsNode('good2/certs.d');
    expect(verify.exitCode, verify.all).toBe(0);
  });

  it('wrong port in the mirror: refused, with containerd’s own line', async () => {
    await generate('wrong-port', 'wrong-port.manifest.yaml');
    await forget();
    const verify = await verifyAsNode('wrong-port');
    expect(verify.exitCode).toBe(1);
    expect(verify.stdout).toMatch(/^hello\s+verified\s+refused\s+/m);
    expect(verify.stdout).toMatch(
      new RegExp(
        `^hello: node: ctr: failed to resolve reference "${referenceHost}/test/hello@${digest}": .*dial tcp 127\\.0\\.0\\.1:\\d+: connect: connection refused — nothing listens where the mirror points`,
        'm',
      ),
    );
  });

  it('https:// mirror for the HTTP registry: HTTP response to HTTPS client', async () => {
    await generate('https', 'https.manifest.yaml');
    await forget();
    const verify = await verifyAsNode('https');
    expect(verify.exitCode).toBe(1);
    expect(verify.stdout).toMatch(/^hello\s+verified\s+https-to-http\s+/m);
    expect(verify.stdout).toContain('http: server gave HTTP response to HTTPS client — the registry speaks plain HTTP');
  });

  it('missing mirror for the reference host: containerd goes to the name itself and fails', async () => {
    await generate('missing');
    rmSync(path.join(ws.dir, 'missing', 'certs.d', referenceHost), { recursive: true });
    await forget();
    const verify = await verifyAsNode('missing');
    expect(verify.exitCode).toBe(1);
    expect(verify.stdout).toMatch(/^hello\s+verified\s+(unresolved|https-to-http)\s+/m);
    expect(verify.stdout).toMatch(
      new RegExp(
        `^hello: node: ctr: failed to resolve reference .*https://${referenceHost.replace('.', '\\.')}/v2/`,
        'm',
      ),
    );
  });

  it('no containerd at the socket: says so, exit 1', async () => {
    await generate('good3');
    const verify = await ws.cli(
      ['verify', '--as-node', 'good3', '--containerd', '/nonexistent/containerd.sock'],
      env(),
    );
    expect(verify.exitCode).toBe(1);
    expect(verify.stdout).toContain(
      'hello: node: no containerd socket at /nonexistent/containerd.sock — start containerd, or name its socket with --containerd SOCK',
    );
  });

  it('cluster-config: an unknown kind is a usage error (exit 2)', async () => {
    const res = await ws.cli(['cluster-config', '--for', 'nomad']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('imagefleet: cluster-config --for "nomad": use one of k3d, k3s, kind, containerd');
  });
});
