/**
 * A builder that is not this machine's engine, for real: the second engine dev-env runs in
 * network namespace imagefleet-e2 (`tools/dev-env/up.sh --second-engine`) is named by
 * `builder.endpoint`; buildx builds there and the builder pushes to the registry by the name it
 * reaches it under (`registry.builderHost: 10.203.0.1:5001`, over the namespace's veth), while
 * this machine checks and verifies through `pushHost: localhost:5001`. Nothing is built or
 * loaded in this machine's engine. The images it builds FROM are pulled by the builder by its
 * own name for the registry too.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { makeWorkspace, REPO_ROOT, type TestWorkspace } from '../support/workspace.js';

const STATE = process.env['IMAGEFLEET_STATE_DIR'] || join(REPO_ROOT, '.imagefleet');
const PORT = process.env['IMAGEFLEET_REGISTRY_PORT'] || '5001';
const E2 = join(STATE, 'e2');
const BUILDX_CLI = join(STATE, 'docker28', 'usr', 'bin', 'docker');
const DOCKER_CONFIG = join(STATE, 'docker-config');
const ACCEPT =
  'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';

describe('builder.endpoint: an engine in its own network namespace builds and pushes through registry.builderHost', () => {
  const namespace = `remote-${randomBytes(4).toString('hex')}`;
  let ws: TestWorkspace;
  let endpoint = '';
  let first: Awaited<ReturnType<TestWorkspace['nx']>>;

  beforeAll(async () => {
    // Loud, never a silent pass: the set-up this test needs is dev-env's.
    if (!existsSync(join(E2, 'docker.sock')))
      throw new Error(`no second engine at ${E2}/docker.sock: run \`bash tools/dev-env/up.sh --second-engine\``);
    if (!existsSync(BUILDX_CLI))
      throw new Error(
        `no docker CLI with buildx at ${BUILDX_CLI}: run \`bash tools/dev-env/up.sh\` (it fetches Docker 28)`,
      );
    endpoint = `unix://${join(E2, 'docker.sock')}`;
    ws = makeWorkspace({
      apps: ['platform-base', 'www-ameide'],
      manifest: `registry:
  host: localhost:${PORT}
  pushHost: localhost:${PORT}
  builderHost: 10.203.0.1:${PORT}
  namespace: ${namespace}
  insecure: true
builder:
  driver: buildx
  docker: ${BUILDX_CLI}
  endpoint: ${endpoint}
services:
  platform-base:
    context: apps/platform-base
  www-ameide:
    context: apps/www-ameide
    dependsOn: [platform-base]
`,
    });
    first = await ws.nx(['run-many', '-t', 'push'], { DOCKER_CONFIG });
  }, 300_000);

  it("pushes both images from the builder, verifies them here, and leaves nothing in this machine's engine", async () => {
    expect(first.exitCode, first.all.slice(-3000)).toBe(0);
    const summary = JSON.parse(
      readFileSync(join(ws.dir, 'artifacts/image-build-logs/build-summary-dev.json'), 'utf8'),
    ) as { rows: { service: string; status: string; verify: string }[] };
    expect(summary.rows.map((r) => [r.service, r.status, r.verify])).toEqual([
      ['platform-base', 'pushed', 'verified'],
      ['www-ameide', 'pushed', 'verified'],
    ]);
    const log = readFileSync(join(ws.dir, 'artifacts/image-build-logs/www-ameide_dev.log'), 'utf8');
    expect(log).toContain(`--output type=image,push=true`);
    expect(log).toContain(`PLATFORM_BASE_IMAGE=10.203.0.1:${PORT}/${namespace}/platform-base@sha256:`);
    // Verified here through the push host: the tag is in the registry this machine sees.
    const head = await fetch(`http://127.0.0.1:${PORT}/v2/${namespace}/www-ameide/manifests/dev`, {
      method: 'HEAD',
      headers: { Accept: ACCEPT },
    });
    expect(head.status).toBe(200);
    // Nothing of this run in this machine's engine: the builder is elsewhere.
    const local = await execa('docker', ['images', '--format', '{{.Repository}}'], {
      env: { DOCKER_HOST: 'unix:///var/run/docker.sock' },
      reject: false,
    });
    expect(local.stdout).not.toContain(namespace);
    // And the second engine did the build: its image store has the base it pulled by builderHost.
    const remote = await execa('/usr/bin/docker', ['images', '--format', '{{.Repository}}'], {
      env: { DOCKER_HOST: endpoint },
      reject: false,
    });
    expect(remote.stdout, remote.stderr).toContain(namespace);
  }, 300_000);

  it('doctor sees the builder where it runs (and would name the fix if it did not answer)', async () => {
    const doctor = await ws.cli(['doctor'], { DOCKER_CONFIG });
    expect(doctor.stdout, doctor.all).toMatch(
      new RegExp(`✓ builder ${endpoint.replace(/[/.]/g, '\\$&')}: docker at ${endpoint.replace(/[/.]/g, '\\$&')}`),
    );
  }, 60_000);

  it('a run after that is unchanged: the registry decides, wherever the builder is', async () => {
    const run = await ws.nx(['run-many', '-t', 'push'], { DOCKER_CONFIG });
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
    expect(run.all).toMatch(/2 services: 2 unchanged/);
  }, 120_000);
});
