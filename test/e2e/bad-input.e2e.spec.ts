/**
 * Bad input and collisions a new user meets (issue "Fifteen defects"), for real: two services
 * built from one folder, a workspace that lost its manifest, two runs of one service at once,
 * and a bad `--jobs`. Each test sets up what it needs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { useRegistryWorkspace } from '../support/registry-workspace.js';
import { execa } from 'execa';
import { DOCKER, PLAIN_OUTPUT_ENV, REPO_ROOT } from '../support/workspace.js';

function manifest(host: string): string {
  return `registry:
  host: ${host}
  pushHost: ${host}
  namespace: ameide
builder:
  docker: ${DOCKER}
services:
  platform-base: {}
  www-ameide:
    dependsOn: [platform-base]
  www-ameide-alt:
    context: apps/www-ameide
    dockerfile: Dockerfile.alt
    dependsOn: [platform-base]
`;
}

interface Row {
  service: string;
  note: string;
  runId: string;
  status: string;
  phase: string;
  error: string;
}

describe('bad input and collisions', () => {
  const setup = useRegistryWorkspace((host) => manifest(host), ['platform-base', 'www-ameide']);
  const logs = () => join(setup.ws.dir, 'artifacts', 'image-build-logs');
  const rows = (): Record<string, Row> => {
    const summary = JSON.parse(readFileSync(join(logs(), 'build-summary-dev.json'), 'utf8')) as { rows: Row[] };
    return Object.fromEntries(summary.rows.map((r) => [r.service, r]));
  };
  // The second service built from www-ameide's folder has a Dockerfile of its own.
  beforeAll(() => {
    const file = join(setup.ws.dir, 'apps', 'www-ameide', 'Dockerfile.alt');
    writeFileSync(
      file,
      `${readFileSync(join(setup.ws.dir, 'apps', 'www-ameide', 'Dockerfile'), 'utf8')}\nLABEL variant=alt\n`,
    );
  });

  it('two services built from one folder (two Dockerfiles) are two projects, both built, pushed and addressable', async () => {
    const run = await setup.ws.nx(['run-many', '-t', 'push', '--projects', 'www-ameide,www-ameide-alt']);
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
    expect(rows()['www-ameide']).toMatchObject({ status: expect.stringMatching(/^(pushed|unchanged)$/) });
    expect(rows()['www-ameide-alt']).toMatchObject({ status: expect.stringMatching(/^(pushed|unchanged)$/) });
    const one = await setup.ws.nx(['run', 'www-ameide-alt:push']);
    expect(one.exitCode, one.all.slice(-3000)).toBe(0);
  }, 300_000);

  it('a workspace that lost services.manifest.yaml fails the graph with one line naming the file, non-zero', async () => {
    const file = join(setup.ws.dir, 'services.manifest.yaml');
    const saved = `${file}.saved`;
    copyFileSync(file, saved);
    try {
      rmSync(file);
      const run = await setup.ws.nx(['run-many', '-t', 'push']);
      expect(run.exitCode).not.toBe(0);
      expect(run.all).toContain(`${file}: not found`);
      const cli = await setup.ws.cli(['verify']);
      expect(cli.exitCode).toBe(2);
      expect(cli.stderr).toMatch(/services\.manifest\.yaml/);
    } finally {
      copyFileSync(saved, file);
    }
  }, 120_000);

  it("two runs of one service at once: one pushes, the other says another run is pushing it, and the log is one run's", async () => {
    const changed = join(setup.ws.dir, 'apps', 'www-ameide', 'site', 'concurrent.txt');
    writeFileSync(changed, `${Date.now()}\n`);
    // A build that takes a while, so the two runs overlap however long each nx takes to start.
    const dockerfile = join(setup.ws.dir, 'apps', 'www-ameide', 'Dockerfile');
    const original = readFileSync(dockerfile, 'utf8');
    writeFileSync(dockerfile, `${original}\nRUN sleep 8\n`);
    try {
      const [a, b] = await Promise.all([
        setup.ws.nx(['run', 'www-ameide:push']),
        setup.ws.nx(['run', 'www-ameide:push']),
      ]);
      const outputs = [a, b].map((r) => r.all);
      const busy = outputs.filter((o) =>
        /\[(www-ameide|platform-base)\] busy: another run \(pid \d+\) is pushing \1 right now/.test(o),
      );
      expect(busy.length, outputs.join('\n----\n').slice(-4000)).toBeGreaterThanOrEqual(1);
      // The run that found a service taken says so on its own terminal and exit code…
      expect([a, b].filter((r) => r.exitCode !== 0)).toHaveLength(busy.length);
      // …and the summary shows what the other run did, not "another run is pushing".
      expect(rows()['www-ameide'], JSON.stringify(rows())).toMatchObject({ status: 'pushed', error: '' });
      expect(rows()['platform-base']!.status).toMatch(/^(pushed|unchanged)$/);
      // Exactly one of the two built and pushed www-ameide; its log holds that one run only.
      const pushedBy = outputs.filter((o) => /\[www-ameide\] push done/.test(o));
      expect(pushedBy).toHaveLength(1);
      const log = readFileSync(join(logs(), 'www-ameide_dev.log'), 'utf8');
      expect(log.match(/ run \d{8}T\d{6}Z-\d+(-\d+)?: /g)).toHaveLength(1);
      expect(existsSync(join(logs(), 'www-ameide_dev.log.partial'))).toBe(false);
    } finally {
      writeFileSync(dockerfile, original);
      rmSync(changed, { force: true });
    }
  }, 300_000);

  it("kill -9 of the batch process mid-build: the build dies with it, and the next run keeps and reports the dead run's log", async () => {
    const dockerfile = join(setup.ws.dir, 'apps', 'www-ameide', 'Dockerfile');
    const original = readFileSync(dockerfile, 'utf8');
    writeFileSync(dockerfile, `${original}\nRUN echo slow-${Date.now()} && sleep 60\n`);
    try {
      const nx = execa(
        process.execPath,
        [join(REPO_ROOT, 'node_modules/nx/dist/bin/nx.js'), 'run', 'www-ameide:push'],
        { cwd: setup.ws.dir, env: PLAIN_OUTPUT_ENV, reject: false, detached: true, all: true },
      );
      let output = '';
      nx.all?.on('data', (d: Buffer) => (output += d.toString()));
      const builds = async () =>
        (await execa('ps', ['-eo', 'pid=,args='])).stdout
          .split('\n')
          .filter((l) => / build /.test(l) && l.includes(`${setup.ws.dir}/apps/www-ameide`));
      const deadline = Date.now() + 120_000;
      while (!(await builds()).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(
        (await builds()).length,
        `the slow build started:\n${output.slice(-2000)}\n${(await execa('ps', ['-eo', 'pid=,args='])).stdout
          .split('\n')
          .filter((l) => /docker|buildx/.test(l))
          .join('\n')}`,
      ).toBeGreaterThan(0);
      const batch = (await execa('pgrep', ['-P', String(nx.pid), '-f', 'run-batch'], { reject: false })).stdout
        .trim()
        .split('\n')[0]!;
      expect(batch).toMatch(/^\d+$/);
      process.kill(Number(batch), 'SIGKILL');
      // The docker build dies with its parent (no orphan finishing the work unsupervised).
      let left = await builds();
      for (let i = 0; i < 50 && left.length; i++) {
        await new Promise((r) => setTimeout(r, 100));
        left = await builds();
      }
      expect(left).toEqual([]);
      try {
        process.kill(-nx.pid!, 'SIGKILL');
      } catch {
        // gone already
      }
      await nx;
      expect(existsSync(join(logs(), 'www-ameide_dev.log.partial'))).toBe(true);
      writeFileSync(dockerfile, original);
      const next = await setup.ws.nx(['run', 'www-ameide:push']);
      expect(next.exitCode, next.all.slice(-3000)).toBe(0);
      expect(next.all).toContain('a previous run died while working on this service');
      expect(existsSync(join(logs(), 'www-ameide_dev.died.log'))).toBe(true);
      expect(rows()['www-ameide']!).toMatchObject({ note: expect.stringContaining('www-ameide_dev.died.log') });
    } finally {
      writeFileSync(dockerfile, original);
    }
  }, 300_000);

  it('imagefleet run push --jobs abc: one line naming the flag, exit 2, no rows written', async () => {
    const before = existsSync(join(logs(), 'build-summary-dev.json'))
      ? readFileSync(join(logs(), 'build-summary-dev.json'), 'utf8')
      : '';
    const run = await setup.ws.cli(['run', 'push', '--jobs', 'abc']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(
      'imagefleet: --jobs must be a whole number of builds at once (1 or more), got "abc"',
    );
    const after = existsSync(join(logs(), 'build-summary-dev.json'))
      ? readFileSync(join(logs(), 'build-summary-dev.json'), 'utf8')
      : '';
    expect(after).toBe(before);
  }, 60_000);
});
