/**
 * Seed 004's runner, for real: no Docker anywhere — no `docker` on PATH, DOCKER_HOST pointing
 * at nothing — and `builder.driver: buildctl` against a BuildKit daemon of the test's own on a
 * loopback port. push, a re-run (the registry's unchanged check), verify, doctor, pin and
 * prune --dry-run all work; a RUN step resolves a name only the manifest defines; the registry
 * build cache is exported beside each image and prune keeps it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildkitPart } from '../support/parts.js';
import { startBuildkitd, type RunningBuildkitd } from '../support/buildkitd.js';
import { startRegistry, type RunningRegistry } from '../support/registry-server.js';
import { parse } from 'yaml';
import { makeWorkspace, PLAIN_OUTPUT_ENV, REPO_ROOT, summaryRows, type TestWorkspace } from '../support/workspace.js';

const buildkit = buildkitPart();

/** A PATH with what a daemonless runner has (git, sh, coreutils through busybox) and no docker. */
export function pathWithoutDocker(): { dir: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'imagefleet-nodocker-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const tool of ['sh', 'env', 'cat', 'ls', 'mkdir', 'rm', 'uname', 'echo', 'test', '['])
    symlinkSync('/bin/busybox', join(bin, tool));
  for (const tool of ['git', 'bash']) symlinkSync(`/usr/bin/${tool}`, join(bin, tool));
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync('/usr/lib/node_modules/npm/bin/npm-cli.js', join(bin, 'npm'));
  return {
    dir,
    env: {
      PATH: bin,
      DOCKER_HOST: `unix://${join(dir, 'no-docker-here.sock')}`,
      IMAGEFLEET_DOCKER: '',
      DOCKER_CONFIG: join(dir, 'docker-config'),
    },
  };
}

describe.skipIf(!buildkit.found)('builder.driver buildctl with no Docker anywhere (seed 004)', () => {
  let daemon: RunningBuildkitd;
  let registry: RunningRegistry;
  let ws: TestWorkspace;
  let noDocker: ReturnType<typeof pathWithoutDocker>;
  let env: Record<string, string>;
  let first: Awaited<ReturnType<TestWorkspace['nx']>>;

  beforeAll(async () => {
    registry = await startRegistry();
    daemon = await startBuildkitd({
      buildkitd: buildkit.files['buildkitd']!,
      buildctl: buildkit.files['buildctl']!,
      toml: `[registry."${registry.host}"]\n  http = true\n`,
    });
    noDocker = pathWithoutDocker();
    env = { ...noDocker.env, BUILDKIT_HOST: daemon.addr };
    ws = makeWorkspace({
      apps: ['platform-base', 'www-ameide', 'agents-runtime'],
      dotenv: 'GIT_AUTH_TOKEN=tok-buildctl-secret-5150\n',
      manifest: `registry:
  host: ${registry.host}
  namespace: fleet
  insecure: true
builder:
  driver: buildctl
  buildctl: ${buildkit.files['buildctl']}
  addHosts:
    go.packages.dev.ameide.io: 10.9.8.7
cache:
  registry: true
services:
  platform-base:
    context: apps/platform-base
  www-ameide:
    context: apps/www-ameide
    dependsOn: [platform-base]
  agents-runtime:
    context: apps/agents-runtime
    dependsOn: [platform-base]
    secrets: [GIT_AUTH_TOKEN]
  names-probe:
    context: apps/names-probe
    dependsOn: [platform-base]
    addHosts:
      athens.dev.ameide.io: 10.9.8.6
`,
      files: {
        // Fails the build unless both names resolve as the manifest says, from inside a RUN.
        'apps/names-probe/Dockerfile': `ARG PLATFORM_BASE_IMAGE
FROM \${PLATFORM_BASE_IMAGE}
RUN grep -E '^10\\.9\\.8\\.7[[:space:]]+go\\.packages\\.dev\\.ameide\\.io' /etc/hosts && grep -E '^10\\.9\\.8\\.6[[:space:]]+athens\\.dev\\.ameide\\.io' /etc/hosts
`,
      },
    });
    first = await ws.nx(['run-many', '-t', 'push'], env);
  }, 300_000);

  afterAll(async () => {
    ws?.dispose();
    await daemon?.stop();
    await registry?.stop();
    if (noDocker) rmSync(noDocker.dir, { recursive: true, force: true });
  });

  it('pushes every service from the daemon, verified from here, one row each', async () => {
    expect(first.exitCode, first.all.slice(-4000)).toBe(0);
    const rows = summaryRows(ws);
    expect(Object.fromEntries(Object.entries(rows).map(([s, r]) => [s, [r['status'], r['verify']]]))).toEqual({
      'platform-base': ['pushed', 'verified'],
      'www-ameide': ['pushed', 'verified'],
      'agents-runtime': ['pushed', 'verified'],
      'names-probe': ['pushed', 'verified'],
    });
    const log = readFileSync(join(ws.dir, 'artifacts/image-build-logs/agents-runtime_dev.log'), 'utf8');
    expect(log).toContain(`build --progress=plain --frontend dockerfile.v0`);
    expect(log).toMatch(new RegExp(`--output type=image,name=${registry.host}/fleet/agents-runtime:dev,push=true`));
    expect(log).toContain(`build-arg:PLATFORM_BASE_IMAGE=${registry.host}/fleet/platform-base@sha256:`);
    // The secret reached the RUN (it checks) and nothing else.
    expect(log).toContain('token present');
    expect(readFileSync(join(ws.dir, 'artifacts/image-build-logs/build-summary-dev.csv'), 'utf8')).not.toContain(
      'tok-buildctl-secret-5150',
    );
    expect(log).not.toContain('tok-buildctl-secret-5150');
  });

  it('a re-run is unchanged: the registry decides, without a build', async () => {
    const run = await ws.nx(['run-many', '-t', 'push', '--skip-nx-cache'], env);
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
    expect(run.all).toMatch(/4 services: 4 unchanged/);
  }, 120_000);

  it('verify, doctor, pin and prune --dry-run need no Docker either', async () => {
    const verify = await ws.cli(['verify'], env);
    expect(verify.exitCode, verify.all).toBe(0);
    const doctor = await ws.cli(['doctor'], env);
    expect(doctor.stdout, doctor.all).toContain(`✓ buildctl ${daemon.addr}: `);
    expect(doctor.stdout).toContain(`✓ environment: BUILDKIT_HOST=${daemon.addr} (over builder.endpoint)`);
    expect(doctor.stdout).not.toMatch(/✗ engine/);
    expect(doctor.exitCode, doctor.all).toBe(0);
    ws.write('gitops/www-ameide.yaml', 'image:\n  ref: old\n');
    const pin = await ws.cli(['pin', '--values', 'gitops/{service}.yaml', '--projects', 'www-ameide'], env);
    expect(pin.exitCode, pin.all).toBe(0);
    expect(readFileSync(join(ws.dir, 'gitops/www-ameide.yaml'), 'utf8')).toMatch(
      new RegExp(`ref: ${registry.host}/fleet/www-ameide@sha256:[a-f0-9]{64}`),
    );
    const prune = await ws.cli(['prune', '--dry-run'], env);
    expect(prune.exitCode, prune.all).toBe(0);
    // The registry build cache BuildKit exported beside each image is kept.
    expect(prune.stdout).toMatch(/fleet\/www-ameide@sha256:\S+ keep .*\[buildcache\] registry build cache buildcache/);
  }, 120_000);

  it('nx affected -t push: a changed service is rebuilt by the daemon, the rest untouched', async () => {
    const git = (...args: string[]) =>
      execa('/usr/bin/git', args, {
        cwd: ws.dir,
        env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
      });
    writeFileSync(join(ws.dir, '.gitignore'), 'node_modules\nartifacts\n.nx\n.env\n.imagefleet\n');
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-qm', 'initial');
    ws.write('apps/www-ameide/site/changed.html', '<p>changed</p>\n');
    await git('add', '-A');
    await git('commit', '-qm', 'change www-ameide');
    const run = await ws.nx(['affected', '-t', 'push', '--base=HEAD~1', '--head=HEAD'], env);
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
    expect(summaryRows(ws)['www-ameide']!['status']).toBe('pushed');
    // What it builds FROM is a dependency task: the registry has it, so nothing is rebuilt there.
    expect(run.all).toMatch(/\[platform-base\] unchanged/);
    expect(run.all).not.toMatch(/\[agents-runtime\]/);
  }, 180_000);

  it("the Gitea job's commands, as the runner runs them, with buildctl on PATH and no docker", async () => {
    symlinkSync(buildkit.files['buildctl']!, join(noDocker.dir, 'bin', 'buildctl'));
    const workflow = parse(readFileSync(join(REPO_ROOT, '.gitea/workflows/images-buildctl.yml'), 'utf8')) as {
      jobs: Record<string, { steps: { name?: string; run?: string }[] }>;
    };
    const steps = Object.values(workflow.jobs)[0]!.steps.filter(
      // Install: node_modules is linked; Base revision: GITHUB_OUTPUT is the runner's, the base is HEAD~1 here.
      (step) => step.run && !['Install', 'Base revision'].includes(step.name ?? ''),
    );
    expect(steps.length).toBeGreaterThanOrEqual(5);
    for (const step of steps) {
      const script = step.run!.replaceAll('${{ steps.base.outputs.ref }}', 'HEAD~1');
      expect(script).not.toContain('${{');
      const r = await execa(join(noDocker.dir, 'bin', 'bash'), ['-e', '-c', script], {
        cwd: ws.dir,
        env: { ...PLAIN_OUTPUT_ENV, ...env, NX_ISOLATE_PLUGINS: 'false' },
        reject: false,
        all: true,
      });
      expect(r.exitCode, `${step.name}: ${r.all?.slice(-3000)}`).toBe(0);
    }
    expect(summaryRows(ws)['www-ameide']!['status']).toBe('unchanged');
  }, 180_000);

  it('an endpoint nothing answers: every row failed (preflight) within seconds, naming it', async () => {
    ws.write('apps/www-ameide/site/again.html', '<p>again</p>\n');
    const started = Date.now();
    const run = await ws.nx(['run-many', '-t', 'push', '--skip-nx-cache'], {
      ...env,
      BUILDKIT_HOST: 'tcp://127.0.0.1:1',
    });
    expect(run.exitCode).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
    const row = summaryRows(ws)['www-ameide']!;
    expect([row['status'], row['phase']]).toEqual(['failed', 'preflight']);
    expect(row['line']).toContain('no BuildKit daemon answers at tcp://127.0.0.1:1');
  }, 120_000);
});
