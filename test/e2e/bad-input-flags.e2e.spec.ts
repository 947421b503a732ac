/**
 * Bad command lines, for real (the CLI's bundle, Nx's batch worker): each is one line naming the
 * flag, a non-zero exit, no Node stack, and nothing written — no rows, no files.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkspace } from '../support/workspace.js';

// Nothing listens on port 1: a test that got as far as the registry would fail loudly.
const ws = makeWorkspace({
  apps: ['platform-base', 'www-ameide'],
  manifest: `registry:
  host: 127.0.0.1:1
  namespace: ameide
services:
  platform-base: {}
  www-ameide:
    dependsOn: [platform-base]
`,
});
afterAll(() => ws.dispose());
const artifacts = () => existsSync(join(ws.dir, 'artifacts'));
const NO_STACK = /\n\s+at |UnhandledPromiseRejection|SchemaError/;

describe('nx run-many -t push --jobs=<bad>', () => {
  it.each(['0', '-1', 'abc'])(
    '--jobs=%s: one line naming the flag, exit 1, no stack, no rows',
    async (jobs) => {
      const run = await ws.nx(['run-many', '-t', 'push', `--jobs=${jobs}`]);
      expect(run.exitCode, run.all).toBe(1);
      expect(run.all).toContain(`--jobs must be a whole number of builds at once (1 or more), got "${jobs}"`);
      expect(run.all).not.toMatch(NO_STACK);
      expect(artifacts()).toBe(false);
    },
    120_000,
  );

  it('nx run www-ameide:push --jobs=0 --batch=false says the same', async () => {
    const run = await ws.nx(['run', 'www-ameide:push', '--jobs=0', '--excludeTaskDependencies'], {
      NX_BATCH_MODE: 'false',
    });
    expect(run.exitCode, run.all).toBe(1);
    expect(run.all).toContain('--jobs must be a whole number of builds at once (1 or more), got "0"');
    expect(run.all).not.toMatch(NO_STACK);
    expect(artifacts()).toBe(false);
  }, 120_000);
});

describe('imagefleet: a flag of another command is refused, naming it and the command', () => {
  it.each([
    [['verify', '--projects', 'www-ameide'], 'imagefleet: verify does not take --projects (it takes '],
    [['preflight', '--as-node', 'dir'], 'imagefleet: preflight does not take --as-node (it takes '],
    [['verify', '--dry-run'], 'imagefleet: verify does not take --dry-run (it takes '],
    [['doctor', '--values', 'v.yaml'], 'imagefleet: doctor does not take --values (it takes '],
    [['prune', '--jobs', '2'], 'imagefleet: prune does not take --jobs (it takes '],
    [['run', 'push', '--base', 'main'], 'imagefleet: run: --base goes with --affected'],
  ])(
    '%j: exit 2, one line',
    async (args, line) => {
      const run = await ws.cli(args);
      expect(run.exitCode, run.all).toBe(2);
      expect(run.stderr.trimEnd().split('\n')).toEqual([expect.stringContaining(line)]);
      expect(run.stdout).toBe('');
      expect(artifacts()).toBe(false);
    },
    60_000,
  );
});

describe('imagefleet cluster-config --out where no directory can be made', () => {
  it('fails at once with one line (Node recursive mkdir loops for ever under /proc)', async () => {
    const run = await ws.cli(['cluster-config', '--for', 'containerd', '--out', '/proc/imagefleet-x']);
    expect(run.exitCode, run.all).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      'cluster-config --out /proc/imagefleet-x: cannot create /proc/imagefleet-x (ENOENT): choose a directory you can write',
    ]);
  }, 30_000);
});
