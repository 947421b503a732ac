/**
 * Affected-only runs with real git commits in a throwaway workspace: a change to a service's
 * folder, to the base image others build FROM, and to one entry of services.manifest.yaml.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { demoManifest, makeWorkspace, type TestWorkspace } from '../support/workspace.js';

const GIT_ENV = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const ALL = [
  'platform-base',
  'agents-runtime',
  'inference-gateway',
  'workflows-runtime',
  'workflow-worker',
  'www-ameide',
  'www-ameide-platform',
];

describe('affected', () => {
  let ws: TestWorkspace;
  const git = (...args: string[]) => execa('git', args, { cwd: ws.dir, env: GIT_ENV });
  const commit = async (message: string) => {
    await git('add', '-A');
    await git('commit', '-qm', message);
  };
  const plan = async () => {
    const r = await ws.cli(['plan', '--affected', '--base', 'HEAD~1', '--head', 'HEAD', '--json']);
    expect(r.exitCode, r.all).toBe(0);
    return JSON.parse(r.stdout) as { service: string; reason: string }[];
  };
  const nxAffected = async () => {
    const r = await ws.nx([
      'show',
      'projects',
      '--affected',
      '--base=HEAD~1',
      '--head=HEAD',
      '--withTarget=push',
      '--json',
    ]);
    expect(r.exitCode, r.all).toBe(0);
    return (JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as string[]).sort();
  };

  beforeAll(async () => {
    ws = makeWorkspace({
      manifest: demoManifest({ pushHost: '127.0.0.1:5999' }),
      dotenv: 'GIT_AUTH_TOKEN=x\nGHCR_TOKEN=y\n',
    });
    writeFileSync(join(ws.dir, '.gitignore'), 'node_modules\nartifacts\n.nx\n.env\n');
    await git('init', '-q', '-b', 'main');
    await commit('initial');
  });

  afterAll(() => ws?.dispose());

  it('a file in one service folder: that service only', async () => {
    appendFileSync(join(ws.dir, 'apps/www-ameide/site/index.html'), '<!-- changed -->\n');
    await commit('change www-ameide');
    expect(await plan()).toEqual([{ service: 'www-ameide', reason: 'changed apps/www-ameide/site/index.html' }]);
    expect(await nxAffected()).toEqual(['www-ameide']);
  });

  it('the base image: it and everything built FROM it', async () => {
    appendFileSync(join(ws.dir, 'apps/platform-base/Dockerfile'), '\n# changed\n');
    await commit('change base');
    const planned = await plan();
    expect(planned.map((p) => p.service).sort()).toEqual([...ALL].sort());
    expect(planned.find((p) => p.service === 'agents-runtime')!.reason).toBe('builds FROM platform-base');
    expect(await nxAffected()).toEqual([...ALL].sort());
  });

  it("one service's entry in services.manifest.yaml: that service only", async () => {
    const manifest = readFileSync(join(ws.dir, 'services.manifest.yaml'), 'utf8');
    writeFileSync(
      join(ws.dir, 'services.manifest.yaml'),
      manifest.replace(
        '  workflow-worker:\n    context: apps/workflow-worker\n',
        '  workflow-worker:\n    context: apps/workflow-worker\n    buildArgs: {WORKERS: "4"}\n',
      ),
    );
    await commit('change one manifest entry');
    expect(await plan()).toEqual([
      { service: 'workflow-worker', reason: 'services.workflow-worker changed in services.manifest.yaml' },
    ]);
    // Nx alone sees the manifest file, which every service's targets read: all of them
    // (safe — unchanged images are then skipped by their content tag — but not exact).
    expect(await nxAffected()).toContain('workflow-worker');
  });

  it('a file no service reads: nothing', async () => {
    writeFileSync(join(ws.dir, 'NOTES.md'), 'notes\n');
    await commit('notes');
    expect(await plan()).toEqual([]);
    expect(await nxAffected()).toEqual([]);
  });
});
