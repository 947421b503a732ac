/**
 * Seed 004's shape, for real, on both containerd generations: the push host is plain HTTP on
 * 127.0.0.1, the reference host (what image fields name) is HTTPS with a test CA on 127.0.0.2,
 * both fronts serving one storage. `imagefleet cluster-config --for containerd` routes each name
 * to itself with its own scheme and copies the CA beside the reference host's hosts.toml;
 * `imagefleet verify --as-node` then pulls every image by its reference name through a private
 * containerd 1.6 (Debian) and 2.1 (Debian sid, unpacked by up.sh). A wrong CA on the node fails
 * with containerd's own x509 error and the row names the fix.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTAINERD,
  containerdAvailable,
  pushRunnableImage,
  startContainerd,
  type ContainerdGeneration,
  type RunningContainerd,
} from '../support/containerd.js';
import { startRegistry, type RunningRegistry } from '../support/registry-server.js';
import { makeSelfSignedCert, type TestCertificate } from '../support/tls.js';
import { makeWorkspace, type TestWorkspace } from '../support/workspace.js';

const NS = 'imagefleet-split-e2e';
const SERVICES = ['hello', 'world'];

describe('split registries: HTTP push host, HTTPS reference host with its own CA', () => {
  let push: RunningRegistry;
  let reference: RunningRegistry;
  let cert: TestCertificate;
  let otherCert: TestCertificate;
  let ws: TestWorkspace;
  const digests: Record<string, string> = {};

  beforeAll(async () => {
    cert = await makeSelfSignedCert([], ['127.0.0.2']);
    otherCert = await makeSelfSignedCert([], ['127.0.0.2']);
    push = await startRegistry();
    reference = await startRegistry({
      address: '127.0.0.2',
      tls: { certFile: cert.certFile, keyFile: cert.keyFile },
      storageDir: push.storageDir,
    });
    for (const service of SERVICES)
      digests[service] = (await pushRunnableImage(push.host, `test/${service}`, 'dev')).digest;
    ws = makeWorkspace({
      manifest: [
        'registry:',
        `  host: ${reference.host}`,
        `  pushHost: ${push.host}`,
        '  namespace: test',
        '  hosts:',
        `    "${reference.host}": {caFile: certs/registry-ca.pem}`,
        `    "${push.host}": {insecure: true}`,
        'defaults:',
        '  tag: dev',
        'services:',
        ...SERVICES.map((s) => `  ${s}: {context: apps/${s}}`),
        '',
      ].join('\n'),
      apps: [],
      files: {
        'certs/registry-ca.pem': cert.pem,
        ...Object.fromEntries(SERVICES.map((s) => [`apps/${s}/Dockerfile`, 'FROM scratch\n'])),
      },
    });
  }, 60_000);

  afterAll(async () => {
    await reference?.stop();
    await push?.stop();
    cert?.dispose();
    otherCert?.dispose();
    ws?.dispose();
  });

  it('cluster-config routes each name to itself: https + ca for the reference host, no file for the HTTP push host', async () => {
    const res = await ws.cli(['cluster-config', '--for', 'containerd', '--out', 'out']);
    expect(res.exitCode, res.all).toBe(0);
    const dir = path.join(ws.dir, 'out', 'certs.d', reference.host);
    expect(readFileSync(path.join(dir, 'hosts.toml'), 'utf8')).toContain(
      [`server = "https://${reference.host}"`, 'ca = "ca.crt"', '', `[host."https://${reference.host}"]`].join('\n'),
    );
    expect(readFileSync(path.join(dir, 'ca.crt'), 'utf8')).toBe(cert.pem);
    // containerd speaks plain HTTP to a loopback IP on its own: nothing to write for the push host.
    expect(res.stdout).toContain(
      `${push.host} (pushHost, builderHost) → http://${push.host} (containerd's default, no file)`,
    );
  });

  describe.each([1, 2] as ContainerdGeneration[])('containerd %i.x', (generation) => {
    let containerd: RunningContainerd;

    beforeAll(async () => {
      const missing = await containerdAvailable(generation);
      if (missing) throw new Error(`cannot run a private containerd ${generation}.x: ${missing}`);
      containerd = await startContainerd(generation);
    }, 30_000);
    afterAll(async () => containerd?.stop());

    const verifyAsNode = (dir: string) =>
      ws.cli(['verify', '--as-node', dir, '--containerd', containerd.address, '--namespace', NS], {
        IMAGEFLEET_CTR: CONTAINERD[generation].ctr,
      });
    async function forget() {
      for (const s of SERVICES)
        await containerd.ctr(['-n', NS, 'images', 'rm', `${reference.host}/test/${s}@${digests[s]}`]);
    }

    it('every image pulls by its reference name through the generated files', async () => {
      const version = await containerd.ctr(['version']);
      expect(version.stdout).toMatch(new RegExp(`Server:[\\s\\S]*Version:\\s+v?${generation}\\.`));
      await ws.cli(['cluster-config', '--for', 'containerd', '--out', `good-${generation}`]);
      await forget();
      const verify = await verifyAsNode(`good-${generation}`);
      expect(verify.exitCode, verify.all).toBe(0);
      for (const s of SERVICES)
        expect(verify.stdout).toMatch(new RegExp(`^${s}\\s+verified\\s+pulled\\s+sha256:`, 'm'));
      const listed = (await containerd.ctr(['-n', NS, 'images', 'ls', '-q'])).stdout.split('\n');
      for (const s of SERVICES) expect(listed).toContain(`${reference.host}/test/${s}@${digests[s]}`);
    });

    it('a wrong CA on the node: containerd’s own x509 error, and the row names the fix', async () => {
      const out = `wrong-ca-${generation}`;
      await ws.cli(['cluster-config', '--for', 'containerd', '--out', out]);
      copyFileSync(otherCert.certFile, path.join(ws.dir, out, 'certs.d', reference.host, 'ca.crt'));
      await forget();
      const verify = await verifyAsNode(out);
      expect(verify.exitCode).toBe(1);
      expect(verify.stdout).toMatch(/^hello\s+verified\s+untrusted\s+/m);
      expect(verify.stdout).toMatch(
        new RegExp(
          `^hello: node: ctr: failed to resolve (reference "${reference.host}/test/hello@sha256:[0-9a-f]{64}"|image): .*https://${reference.host.replace(/\./g, '\\.')}/v2/test/hello/manifests/.*x509: certificate signed by unknown authority.* — the node does not trust the registry’s certificate: set registry.hosts.<host>.caFile`,
          'm',
        ),
      );
    });
  });

  it('the CA is copied as it is at generate time: a changed caFile reaches the node files on the next generate', async () => {
    writeFileSync(path.join(ws.dir, 'certs', 'registry-ca.pem'), otherCert.pem);
    try {
      await ws.cli(['cluster-config', '--for', 'containerd', '--out', 'regen']);
      expect(readFileSync(path.join(ws.dir, 'regen', 'certs.d', reference.host, 'ca.crt'), 'utf8')).toBe(otherCert.pem);
    } finally {
      writeFileSync(path.join(ws.dir, 'certs', 'registry-ca.pem'), cert.pem);
    }
  });
});
