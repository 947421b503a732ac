/**
 * Bad input and collisions a new user meets (issue "Fifteen defects"), for real: two services
 * built from one folder, a workspace that lost its manifest, two runs of one service at once,
 * and a bad `--jobs`. Each test sets up what it needs.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { useRegistryWorkspace } from '../support/registry-workspace.js';
import { DOCKER } from '../support/workspace.js';

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
  const alt = () => {
    const file = join(setup.ws.dir, 'apps', 'www-ameide', 'Dockerfile.alt');
    if (!existsSync(file)) writeFileSync(file, `${readFileSync(join(setup.ws.dir, 'apps', 'www-ameide', 'Dockerfile'), 'utf8')}\nLABEL variant=alt\n`);
  };

  it('two services built from one folder (two Dockerfiles) are two projects, both built, pushed and addressable', async () => {
    alt();
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

  it('two runs of one service at once: one pushes, the other says another run is pushing it, and the log is one run\'s', async () => {
    alt();
    const changed = join(setup.ws.dir, 'apps', 'www-ameide', 'site', 'concurrent.txt');
    writeFileSync(changed, `${Date.now()}\n`);
    try {
      const [a, b] = await Promise.all([setup.ws.nx(['run', 'www-ameide:push']), setup.ws.nx(['run', 'www-ameide:push'])]);
      const outputs = [a, b].map((r) => r.all);
      const busy = outputs.filter((o) => /another run \(pid \d+\) is pushing (www-ameide|platform-base) right now/.test(o));
      expect(busy.length, outputs.join('\n----\n').slice(-4000)).toBeGreaterThanOrEqual(1);
      // Exactly one of the two built and pushed www-ameide; its log holds that one run only.
      const pushedBy = outputs.filter((o) => /\[www-ameide\] push done/.test(o));
      expect(pushedBy).toHaveLength(1);
      const log = readFileSync(join(logs(), 'www-ameide_dev.log'), 'utf8');
      expect(log.match(/ run \d{8}T\d{6}Z-\d+(-\d+)?: /g)).toHaveLength(1);
      expect(existsSync(join(logs(), 'www-ameide_dev.log.partial'))).toBe(false);
    } finally {
      rmSync(changed, { force: true });
    }
  }, 300_000);

  it('imagefleet run push --jobs abc: one line naming the flag, exit 2, no rows written', async () => {
    const before = existsSync(join(logs(), 'build-summary-dev.json')) ? readFileSync(join(logs(), 'build-summary-dev.json'), 'utf8') : '';
    const run = await setup.ws.cli(['run', 'push', '--jobs', 'abc']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe('imagefleet: --jobs must be a whole number of builds at once (1 or more), got "abc"');
    const after = existsSync(join(logs(), 'build-summary-dev.json')) ? readFileSync(join(logs(), 'build-summary-dev.json'), 'utf8') : '';
    expect(after).toBe(before);
  }, 60_000);
});
