/**
 * buildx builders for real (seed 002's shape without a cluster): `imagefleet builder ensure`
 * creates the named builder from `builder.create`, leaves it alone once healthy, and a push
 * run builds and pushes through it — the `remote` driver against a BuildKit daemon of the
 * test's own, and the `docker-container` driver running the image make-image.sh builds (with the
 * buildkitd.toml `cluster-config --for buildkitd` writes). Each test has its own DOCKER_CONFIG
 * (buildx keeps its builders there) and removes the builder it made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { buildkitPart, buildxPart } from '../support/parts.js';
import { startBuildkitd, type RunningBuildkitd } from '../support/buildkitd.js';
import { startRegistry, type RunningRegistry } from '../support/registry-server.js';
import { DOCKER, dockerAvailable, makeWorkspace, summaryRows, type TestWorkspace } from '../support/workspace.js';

const buildkit = buildkitPart();
const buildx = buildxPart();
const PORT = process.env['IMAGEFLEET_REGISTRY_PORT'] || '5001';
const BUILDKIT_IMAGE = `localhost:${PORT}/moby/buildkit:v0.32.0-local`;

/** A DOCKER_CONFIG of the test's own with the buildx plugin the suite's CLI finds. */
function dockerConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'imagefleet-docker-config-'));
  mkdirSync(join(dir, 'cli-plugins'));
  symlinkSync(realpathSync(buildx.files['plugin']!), join(dir, 'cli-plugins', 'docker-buildx'));
  return dir;
}

function manifest(registry: string, name: string, create: string): string {
  return `registry:
  host: ${registry}
  namespace: bx${randomBytes(3).toString('hex')}
  insecure: true
builder:
  driver: buildx
  docker: ${DOCKER}
  name: ${name}
  create:
${create}
services:
  platform-base:
    context: apps/platform-base
  www-ameide:
    context: apps/www-ameide
    dependsOn: [platform-base]
`;
}

describe.skipIf(!buildkit.found || !buildx.found)(
  'buildx builders, created by builder ensure and used by a push',
  () => {
    let registry: RunningRegistry;
    let daemon: RunningBuildkitd;
    const cleanups: (() => Promise<unknown> | void)[] = [];

    beforeAll(async () => {
      if (!(await dockerAvailable())) throw new Error(`no Docker engine for ${DOCKER}: run bash tools/dev-env/up.sh`);
      registry = await startRegistry();
      daemon = await startBuildkitd({
        buildkitd: buildkit.files['buildkitd']!,
        buildctl: buildkit.files['buildctl']!,
        toml: `[registry."${registry.host}"]\n  http = true\n`,
      });
    }, 60_000);

    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
      await daemon?.stop();
      await registry?.stop();
    }, 60_000);

    const ensureAndPush = async (ws: TestWorkspace, name: string, env: Record<string, string>) => {
      cleanups.push(() => execa(DOCKER, ['buildx', 'rm', '--force', name], { env, reject: false }));
      const created = await ws.cli(['builder', 'ensure'], env);
      expect(created.exitCode, created.all).toBe(0);
      expect(created.stdout).toMatch(new RegExp(`^builder ${name}: created \\(`));
      const again = await ws.cli(['builder', 'ensure'], env);
      expect(again.stdout, again.all).toMatch(new RegExp(`^builder ${name}: driver \\S+ and running, left alone`));
      const run = await ws.nx(['run-many', '-t', 'push'], env);
      expect(run.exitCode, run.all.slice(-3000)).toBe(0);
      const rows = summaryRows(ws);
      expect([rows['platform-base']!['status'], rows['www-ameide']!['status']]).toEqual(['pushed', 'pushed']);
      expect(rows['www-ameide']!['verify']).toBe('verified');
      const log = readFileSync(join(ws.dir, 'artifacts/image-build-logs/www-ameide_dev.log'), 'utf8');
      expect(log).toContain(`buildx build --builder ${name} --output type=image,push=true,registry.insecure=true`);
    };

    it('remote driver: the test daemon as a named builder', async () => {
      const name = `if-remote-${randomBytes(3).toString('hex')}`;
      const env = { DOCKER_CONFIG: dockerConfig() };
      cleanups.push(() => rmSync(env.DOCKER_CONFIG, { recursive: true, force: true }));
      const ws = makeWorkspace({
        apps: ['platform-base', 'www-ameide'],
        manifest: manifest(registry.host, name, `    driver: remote\n    endpoint: ${daemon.addr}`),
      });
      cleanups.push(() => ws.dispose());
      await ensureAndPush(ws, name, env);
      // A name that is not there: the preflight says so in seconds, with the fix.
      ws.write(
        'services.manifest.yaml',
        manifest(registry.host, 'no-such-builder', '    driver: remote\n    endpoint: tcp://127.0.0.1:1'),
      );
      const missing = await ws.nx(['run-many', '-t', 'push'], env);
      expect(missing.exitCode).not.toBe(0);
      expect(missing.all).toContain(
        'failed (preflight): there is no buildx builder "no-such-builder": create it with `imagefleet builder ensure`',
      );
    }, 300_000);

    it('docker-container driver: the image make-image.sh builds, with the buildkitd.toml cluster-config writes', async (ctx) => {
      const made = await execa(
        'bash',
        [join(dirname(buildkit.files['buildkitd']!), 'make-image.sh'), DOCKER, BUILDKIT_IMAGE],
        {
          reject: false,
          all: true,
        },
      );
      expect(made.exitCode, made.all).toBe(0);
      // The driver runs BuildKit in a privileged container. dockerd 20.10 asks runc for every
      // capability it knows, and where the machine's bounding set lacks some (this one: a
      // container itself) no privileged container starts; Docker 23+ asks only for what is there.
      const privileged = await execa(
        DOCKER,
        ['run', '--rm', '--privileged', '--entrypoint', 'buildkitd', BUILDKIT_IMAGE, '--version'],
        { reject: false, all: true },
      );
      if (privileged.exitCode !== 0 && privileged.all.includes('unable to apply caps')) {
        process.stdout.write(`skipped: docker-container driver: ${DOCKER} cannot start a privileged container here\n`);
        ctx.skip();
      }
      const name = `if-container-${randomBytes(3).toString('hex')}`;
      const env = { DOCKER_CONFIG: dockerConfig() };
      cleanups.push(() => rmSync(env.DOCKER_CONFIG, { recursive: true, force: true }));
      const ws = makeWorkspace({
        apps: ['platform-base', 'www-ameide'],
        manifest: manifest(
          registry.host,
          name,
          `    driver: docker-container\n    driverOpts:\n      image: ${BUILDKIT_IMAGE}\n      network: host\n    buildkitdConfig: builder/buildkitd.toml`,
        ),
      });
      cleanups.push(() => ws.dispose());
      const toml = await ws.cli(['cluster-config', '--for', 'buildkitd', '--out', 'builder'], env);
      expect(toml.exitCode, toml.all).toBe(0);
      expect(readFileSync(join(ws.dir, 'builder/buildkitd.toml'), 'utf8')).toContain(
        `[registry."${registry.host}"]\n  http = true`,
      );
      await ensureAndPush(ws, name, env);
    }, 300_000);
  },
);
