/**
 * Seed 004's shape, for real: the engine pushes to an internal plain-HTTP registry, clusters pull
 * from an external HTTPS registry with a self-signed certificate and htpasswd auth. The HTTPS
 * registry is a second distribution process on the same storage, so it really has every image
 * pushed. `registry.hosts.<reference>` gives its CA file and the names of its credential
 * variables; each row is verified through both hosts, a wrong CA or password fails the row in
 * phase verify naming the reference host and the fix, and a reference host that does not
 * resolve is said in the row's note.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SummaryJson, SummaryRow } from '@imagefleet/report';
import { startRegistry, type RunningRegistry } from '../support/registry-server.js';
import { makeSelfSignedCert, type TestCertificate } from '../support/tls.js';
import { dockerAvailable, DOCKER, makeWorkspace, type TestWorkspace } from '../support/workspace.js';

const PULL = { user: 'cluster', password: 'pull-s3cret-pass' };
const CREDS = { PULL_USER: PULL.user, PULL_PASSWORD: PULL.password };

function manifest(pushHost: string, host: string, caFile: string): string {
  return `registry:
  host: ${host}
  pushHost: ${pushHost}
  namespace: ameide
  hosts:
    # No insecure lines: the loopback push host is plain HTTP by default, the host with a caFile HTTPS.
    "${host}":
      caFile: ${caFile}
      usernameEnv: PULL_USER
      passwordEnv: PULL_PASSWORD
builder:
  docker: ${DOCKER}
services:
  platform-base: {}
`;
}

describe('per-host registry settings: HTTP push host, HTTPS reference host with its own CA and credentials', () => {
  let cert: TestCertificate;
  let otherCa: TestCertificate;
  let push: RunningRegistry;
  let pull: RunningRegistry;
  let ws: TestWorkspace;

  beforeAll(async () => {
    if (!(await dockerAvailable())) throw new Error('no Docker engine answers: run `bash tools/dev-env/up.sh` first');
    [cert, otherCa] = await Promise.all([makeSelfSignedCert(), makeSelfSignedCert()]);
    push = await startRegistry();
    pull = await startRegistry({
      storageDir: push.storageDir,
      tls: { certFile: cert.certFile, keyFile: cert.keyFile },
      htpasswd: PULL,
    });
    ws = makeWorkspace({
      manifest: manifest(push.host, pull.host, cert.certFile),
      apps: ['platform-base'],
      files: { 'apps/platform-base/salt.txt': 'first' },
    });
    ws.write(
      'apps/platform-base/Dockerfile',
      `${readFileSync(join(ws.dir, 'apps/platform-base/Dockerfile'), 'utf8')}\nCOPY salt.txt /etc/salt.txt\n`,
    );
  }, 120_000);

  afterAll(async () => {
    await pull?.stop();
    await push?.stop();
    ws?.dispose();
    cert?.dispose();
    otherCa?.dispose();
  });

  /** A new image each time: the push path (build → push → verify), not the content-tag shortcut. */
  async function pushRun(
    env: Record<string, string>,
  ): Promise<{ row: SummaryRow; log: string; all: string; exitCode: number }> {
    ws.write('apps/platform-base/salt.txt', `${Date.now()}-${Math.random()}`);
    return run(env);
  }

  async function run(
    env: Record<string, string>,
  ): Promise<{ row: SummaryRow; log: string; all: string; exitCode: number }> {
    const r = await ws.nx(['run-many', '-t', 'push', '--outputStyle=stream'], env);
    const logs = join(ws.dir, 'artifacts', 'image-build-logs');
    const summary = JSON.parse(readFileSync(join(logs, 'build-summary-dev.json'), 'utf8')) as SummaryJson;
    return {
      row: summary.rows.find((x) => x.service === 'platform-base')!,
      log: readFileSync(join(logs, 'platform-base_dev.log'), 'utf8'),
      all: r.all,
      exitCode: r.exitCode,
    };
  }

  it('pushes to the HTTP host and verifies through both hosts; an unchanged run checks the tags on the reference host', async () => {
    const first = await pushRun(CREDS);
    expect(first.exitCode, first.all.slice(-3000)).toBe(0);
    expect(first.row).toMatchObject({
      status: 'pushed',
      verify: 'verified',
      note: '',
      image: `${pull.host}/ameide/platform-base:dev`,
    });
    expect(first.log).toContain(`through ${push.host} and ${pull.host}`);

    const again = await run(CREDS);
    expect(again.exitCode, again.all.slice(-3000)).toBe(0);
    expect(again.row).toMatchObject({ status: 'unchanged', note: '', digest: first.row.digest });
    expect(again.log).toContain(`on the reference host ${pull.host} too`);
  });

  it('a wrong password fails the row in phase verify, naming the reference host and where the credentials came from', async () => {
    const r = await pushRun({ PULL_USER: PULL.user, PULL_PASSWORD: 'wrong-password' });
    expect(r.exitCode).not.toBe(0);
    expect(r.row).toMatchObject({ status: 'failed', phase: 'verify', verify: 'unauthorized' });
    expect(r.row.error).toContain(`${pull.host}`);
    expect(r.row.error).toContain(`refused the credentials of user "${PULL.user}" from PULL_USER/PULL_PASSWORD`);
  });

  it('the wrong CA fails the row in phase verify, naming the reference host and registry.hosts.<host>.caFile', async () => {
    ws.write('services.manifest.yaml', manifest(push.host, pull.host, otherCa.certFile));
    try {
      const r = await pushRun(CREDS);
      expect(r.exitCode).not.toBe(0);
      expect(r.row).toMatchObject({ status: 'failed', phase: 'verify' });
      expect(r.row.error).toContain(
        `the TLS certificate of ${pull.host} is not signed by the CA in ${otherCa.certFile}`,
      );
      expect(r.row.error).toContain(`registry.hosts.${pull.host}.caFile`);
    } finally {
      ws.write('services.manifest.yaml', manifest(push.host, pull.host, cert.certFile));
    }
  });

  it('a reference host that does not resolve: pushed, with the note "reference host not checked: …"', async () => {
    // `.invalid` never resolves (RFC 6761); `*.localhost` always does, to loopback (next test).
    ws.write('services.manifest.yaml', manifest(push.host, 'nope.invalid:5999', cert.certFile));
    try {
      const r = await pushRun(CREDS);
      expect(r.exitCode, r.all.slice(-3000)).toBe(0);
      expect(r.row).toMatchObject({ status: 'pushed', verify: 'verified' });
      expect(r.row.note).toMatch(/^reference host not checked: nope\.invalid does not resolve/);
      const csv = readFileSync(join(ws.dir, 'artifacts', 'image-build-logs', 'build-summary-dev.csv'), 'utf8');
      expect(csv.split('\n')[0]!.split(',')).toContain('note');
      expect(csv).toContain('reference host not checked: nope.invalid');
    } finally {
      ws.write('services.manifest.yaml', manifest(push.host, pull.host, cert.certFile));
    }
  });

  it("the demo's shape (k3d-<name>.localhost on the push host's port, no /etc/hosts line): verified through both names, no note", async () => {
    const demo = `k3d-demo.localhost:${push.port}`;
    ws.write(
      'services.manifest.yaml',
      `registry:\n  host: ${demo}\n  pushHost: ${push.host}\n  namespace: ameide\nbuilder:\n  docker: ${DOCKER}\nservices:\n  platform-base: {}\n`,
    );
    try {
      const r = await pushRun({});
      expect(r.exitCode, r.all.slice(-3000)).toBe(0);
      expect(r.row).toMatchObject({
        status: 'pushed',
        verify: 'verified',
        note: '',
        image: `${demo}/ameide/platform-base:dev`,
      });
      expect(r.log).toContain(`through ${push.host} and ${demo}`);
    } finally {
      ws.write('services.manifest.yaml', manifest(push.host, pull.host, cert.certFile));
    }
  });
});
