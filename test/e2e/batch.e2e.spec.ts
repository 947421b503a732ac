/**
 * Every way to start a push goes through the one batch executor, for real: `nx run-many`,
 * `nx run svc:push`, `nx affected`, `--exclude`, and `imagefleet run push`. One run id per
 * invocation (one process, one run), one row per service of the invocation and none for others,
 * the registry decides what is unchanged (an image it lost is rebuilt though no input changed:
 * what Nx's own cache gets wrong, nrwl/nx#15116), a failed base gives its dependents rows that
 * say why they never ran, each line of a run is printed once (Nx's default style and static), and
 * with `--batch=false` the tasks of one invocation still make one run. Each test sets up what it
 * needs: none depends on another's order.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { useRegistryWorkspace } from '../support/registry-workspace.js';
import { DOCKER } from '../support/workspace.js';

const ACCEPT =
  'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
const SERVICES = ['platform-base', 'www-ameide', 'workflow-worker'];

function manifest(pushHost: string): string {
  return `registry:\n  host: ${pushHost}\n  pushHost: ${pushHost}\n  namespace: ameide\nbuilder:\n  docker: ${DOCKER}\nservices:\n  platform-base: {}\n  www-ameide:\n    dependsOn: [platform-base]\n  workflow-worker:\n    dependsOn: [platform-base]\n`;
}

interface Row {
  service: string;
  runId: string;
  status: string;
  phase: string;
  error: string;
}

describe('one batch executor behind every way to push', () => {
  const setup = useRegistryWorkspace(manifest, SERVICES);
  const logs = () => join(setup.ws.dir, 'artifacts', 'image-build-logs');
  const rows = (): Record<string, Row> => {
    const summary = JSON.parse(readFileSync(join(logs(), 'build-summary-dev.json'), 'utf8')) as { rows: Row[] };
    return Object.fromEntries(summary.rows.map((r) => [r.service, r]));
  };
  const statuses = () => Object.fromEntries(Object.entries(rows()).map(([s, r]) => [s, r.status]));
  const runIds = () => new Set(Object.values(rows()).map((r) => r.runId));
  const built = (service: string) => /docker build /.test(readFileSync(join(logs(), `${service}_dev.log`), 'utf8'));
  const git = (...args: string[]) => execa('git', args, { cwd: setup.ws.dir });
  const nx = (...args: string[]) => setup.ws.nx(args);
  /** How many times `text` occurs in `output`. */
  const count = (output: string, text: string) => output.split(text).length - 1;
  /** The batch says how many tasks it runs in one process. */
  const oneBatch = (out: string, tasks: number) =>
    expect(out).toMatch(
      tasks > 1 ? new RegExp(`Running ${tasks} tasks with \\./tools/nx-plugin:push`) : /nx run [\w-]+:push/,
    );

  beforeAll(async () => {
    await git('init', '-q', '-b', 'main');
    await git('-c', 'user.email=t@t', '-c', 'user.name=t', 'add', '-A');
    await git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'initial');
    const cold = await nx('run-many', '-t', 'push');
    expect(cold.exitCode, cold.all.slice(-3000)).toBe(0);
    expect(statuses()).toEqual({ 'platform-base': 'pushed', 'www-ameide': 'pushed', 'workflow-worker': 'pushed' });
    oneBatch(cold.all, 3);
    expect(runIds().size).toBe(1);
    expect(cold.all).toMatch(/3 services: 3 pushed/);
  }, 300_000);

  it('nx run-many -t push, nothing changed: one process, nothing built, every row unchanged and verified, a new run id', async () => {
    const before = runIds();
    const run = await nx('run-many', '-t', 'push');
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
    oneBatch(run.all, 3);
    expect(statuses()).toEqual({
      'platform-base': 'unchanged',
      'www-ameide': 'unchanged',
      'workflow-worker': 'unchanged',
    });
    for (const s of SERVICES) expect(built(s), s).toBe(false);
    expect(runIds().size).toBe(1);
    expect([...runIds()][0]).not.toBe([...before][0]);
    expect(run.all).toMatch(/3 services: 3 unchanged/);
  }, 120_000);

  it.each([[[]], [['--output-style=static']]])(
    'nx run-many -t push %j prints each line of the run once',
    async (style) => {
      const run = await nx('run-many', '-t', 'push', ...style);
      expect(run.exitCode, run.all.slice(-3000)).toBe(0);
      for (const s of SERVICES) expect(count(run.all, `[${s}] unchanged`), run.all).toBe(1);
      expect(count(run.all, '3 services: 3 unchanged'), run.all).toBe(1);
    },
    120_000,
  );

  it('--batch=false (one process per task): one row per service of the invocation, all of one run', async () => {
    // Static: Nx's default style shows no output of a successful task run on its own.
    const run = await nx(
      'run-many',
      '-t',
      'push',
      `--projects=${SERVICES.join(',')}`,
      '--batch=false',
      '--output-style=static',
    );
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
    expect(run.all).not.toMatch(/Running \d+ tasks with/);
    expect(statuses()).toEqual({
      'platform-base': 'unchanged',
      'www-ameide': 'unchanged',
      'workflow-worker': 'unchanged',
    });
    expect(runIds().size).toBe(1);
    for (const s of SERVICES) expect(count(run.all, `[${s}] unchanged`), run.all).toBe(1);
  }, 180_000);

  it('an image the registry lost is rebuilt and pushed though no input changed', async () => {
    const head = await fetch(`http://${setup.registry.host}/v2/ameide/www-ameide/manifests/dev`, {
      method: 'HEAD',
      headers: { Accept: ACCEPT },
    });
    const digest = head.headers.get('docker-content-digest')!;
    // Deleting by digest removes the manifest under every tag: dev and the content tag.
    expect(
      (await fetch(`http://${setup.registry.host}/v2/ameide/www-ameide/manifests/${digest}`, { method: 'DELETE' }))
        .status,
    ).toBe(202);
    const run = await nx('run-many', '-t', 'push');
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
    expect(statuses()).toEqual({
      'platform-base': 'unchanged',
      'www-ameide': 'pushed',
      'workflow-worker': 'unchanged',
    });
    const after = await fetch(`http://${setup.registry.host}/v2/ameide/www-ameide/manifests/dev`, {
      method: 'HEAD',
      headers: { Accept: ACCEPT },
    });
    expect(after.status).toBe(200);
  }, 300_000);

  it('nx run <service>:push runs the base it builds FROM in the same process: two rows, one run', async () => {
    const run = await nx('run', 'www-ameide:push');
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
    oneBatch(run.all, 2);
    expect(statuses()).toEqual({ 'platform-base': 'unchanged', 'www-ameide': 'unchanged' });
    expect(runIds().size).toBe(1);
  }, 120_000);

  it('--exclude: the excluded service gets no row, the rest the same registry check', async () => {
    const run = await nx('run-many', '-t', 'push', '--exclude=workflow-worker');
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
    expect(statuses()).toEqual({ 'platform-base': 'unchanged', 'www-ameide': 'unchanged' });
  }, 120_000);

  it('nx affected -t push: a changed service is built and pushed, its base checked in the registry, the other service not run', async () => {
    const file = join(setup.ws.dir, 'apps', 'www-ameide', 'site', 'affected.txt');
    try {
      writeFileSync(file, `changed ${Date.now()}\n`);
      const run = await nx('affected', '-t', 'push', '--base=main');
      expect(run.exitCode, run.all.slice(-3000)).toBe(0);
      expect(statuses()).toEqual({ 'platform-base': 'unchanged', 'www-ameide': 'pushed' });
      expect(built('www-ameide')).toBe(true);
    } finally {
      await execa('rm', ['-f', file]);
    }
  }, 300_000);

  it('imagefleet run push --affected: exactly the services whose files changed, through the same executor', async () => {
    const file = join(setup.ws.dir, 'apps', 'workflow-worker', 'run-affected.txt');
    try {
      writeFileSync(file, `changed ${Date.now()}\n`);
      await git('add', '-A');
      await git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'change workflow-worker');
      const run = await setup.ws.cli(['run', 'push', '--affected', '--base', 'HEAD~1']);
      expect(run.exitCode, run.all.slice(-3000)).toBe(0);
      // The CLI selects exactly workflow-worker; Nx adds the base it depends on to the same batch.
      expect(statuses()).toEqual({ 'platform-base': 'unchanged', 'workflow-worker': 'pushed' });
      expect(built('workflow-worker')).toBe(true);
    } finally {
      await git('rm', '-q', file);
      await git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'revert workflow-worker');
    }
  }, 300_000);

  it('a failed base: its dependents are skipped with rows saying why, each line printed once, the run exits non-zero', async () => {
    const dockerfile = join(setup.ws.dir, 'apps', 'platform-base', 'Dockerfile');
    const original = readFileSync(dockerfile, 'utf8');
    try {
      appendFileSync(dockerfile, 'RUN exit 3\n');
      for (const style of [[], ['--output-style=static']]) {
        const run = await nx('run-many', '-t', 'push', ...style);
        expect(run.exitCode).not.toBe(0);
        // Nx prints a failed task's output again in full under `> nx run …`: not ours, it is empty.
        expect(count(run.all, '[platform-base] failed (build): '), run.all).toBe(1);
        expect(count(run.all, '[platform-base] build started'), run.all).toBe(1);
        expect(count(run.all, '[www-ameide] skipped: not run: '), run.all).toBe(1);
      }
      const r = rows();
      expect(r['platform-base']).toMatchObject({ status: 'failed', phase: 'build' });
      for (const s of ['www-ameide', 'workflow-worker']) {
        expect(r[s], s).toMatchObject({
          status: 'skipped',
          phase: '',
          error: 'not run: an image it builds FROM (platform-base) failed',
        });
      }
      expect(runIds().size).toBe(1);
    } finally {
      writeFileSync(dockerfile, original);
    }
  }, 300_000);
});
