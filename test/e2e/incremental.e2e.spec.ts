/**
 * Only build what changed, for real: content-addressed images against a real engine and
 * registry — an unchanged re-run builds nothing and still verifies, also after the daemon's
 * images are removed; a touched file rebuilds exactly its service and what builds FROM it;
 * digest pins go only into values files for digests that verify.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { startRegistry, type RunningRegistry } from '../support/registry-server.js';
import {
  ANY_MANIFEST,
  DOCKER,
  dockerAvailable,
  imageInRegistry,
  makeWorkspace,
  type TestWorkspace,
} from '../support/workspace.js';

const ACCEPT = ANY_MANIFEST;
const SERVICES = ['platform-base', 'www-ameide', 'workflow-worker'];

function manifest(pushHost: string): string {
  return `registry:\n  host: ${pushHost}\n  pushHost: ${pushHost}\n  namespace: ameide\nbuilder:\n  docker: ${DOCKER}\nservices:\n  platform-base: {}\n  www-ameide:\n    dependsOn: [platform-base]\n    tags: [latest]\n  workflow-worker:\n    dependsOn: [platform-base]\n`;
}

describe('content-addressed images', () => {
  let registry: RunningRegistry;
  let ws: TestWorkspace;
  const logs = () => join(ws.dir, 'artifacts', 'image-build-logs');
  const statuses = () => {
    const csv = readFileSync(join(logs(), 'build-summary-dev.csv'), 'utf8').trim().split('\n').slice(1);
    return Object.fromEntries(csv.map((line) => line.split(',')).map((cells) => [cells[1], cells[3]]));
  };
  const built = (service: string) => /docker build /.test(readFileSync(join(logs(), `${service}_dev.log`), 'utf8'));
  const tagDigest = async (service: string) =>
    (
      await fetch(`http://${registry.host}/v2/ameide/${service}/manifests/dev`, {
        method: 'HEAD',
        headers: { Accept: ACCEPT },
      })
    ).headers.get('docker-content-digest');

  /** Change a file for the length of `fn`, then put it back (every test starts from the pushed demo). */
  const touched = async (path: string, extra: string, fn: () => Promise<void>) => {
    const file = join(ws.dir, path);
    const original = readFileSync(file, 'utf8');
    appendFileSync(file, extra);
    try {
      await fn();
    } finally {
      writeFileSync(file, original);
    }
  };

  beforeAll(async () => {
    if (!(await dockerAvailable())) throw new Error('no Docker engine answers: run `bash tools/dev-env/up.sh` first');
    registry = await startRegistry();
    ws = makeWorkspace({ manifest: manifest(registry.host), apps: SERVICES });
    const first = await ws.cli(['run', 'push']);
    expect(first.exitCode, first.all.slice(-2000)).toBe(0);
    expect(statuses()).toEqual({ 'platform-base': 'pushed', 'www-ameide': 'pushed', 'workflow-worker': 'pushed' });
    // Extra tags are set through the registry API once the image verifies.
    const latest = await fetch(`http://${registry.host}/v2/ameide/www-ameide/manifests/latest`, {
      method: 'HEAD',
      headers: { Accept: ACCEPT },
    });
    expect(latest.headers.get('docker-content-digest')).toBe(await tagDigest('www-ameide'));
  }, 300_000);

  afterAll(async () => {
    await registry?.stop();
    ws?.dispose();
  });

  it('an unchanged re-run through nx run-many builds nothing and still verifies', async () => {
    const run = await ws.nx(['run-many', '-t', 'push', '--outputStyle=stream']);
    expect(run.exitCode, run.all.slice(-2000)).toBe(0);
    expect(statuses()).toEqual({
      'platform-base': 'unchanged',
      'www-ameide': 'unchanged',
      'workflow-worker': 'unchanged',
    });
    for (const s of SERVICES) expect(built(s), s).toBe(false);
    const csv = readFileSync(join(logs(), 'build-summary-dev.csv'), 'utf8');
    expect(csv).not.toMatch(/,unchanged,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,,/); // every unchanged row carries a digest
    expect(csv.match(/,verified,/g)).toHaveLength(3);
  });

  it('after the daemon loses every image, still unchanged (the registry decides, not the daemon)', async () => {
    const images = await execa(DOCKER, ['images', '--format', '{{.Repository}}:{{.Tag}}']);
    const ours = images.stdout
      .split('\n')
      .filter((ref) => ref.startsWith(`${registry.host}/`) || SERVICES.some((s) => ref.startsWith(`ameide/${s}:`)));
    expect(ours.length).toBeGreaterThan(0);
    await execa(DOCKER, ['image', 'rm', '--force', ...ours]);
    const run = await ws.nx(['run-many', '-t', 'push', '--outputStyle=stream']);
    expect(run.exitCode, run.all.slice(-2000)).toBe(0);
    expect(statuses()).toEqual({
      'platform-base': 'unchanged',
      'www-ameide': 'unchanged',
      'workflow-worker': 'unchanged',
    });
  });

  it('one touched file rebuilds exactly that service', async () => {
    const before = await tagDigest('www-ameide');
    await touched('apps/www-ameide/site/index.html', '<!-- touched -->\n', async () => {
      const run = await ws.cli(['run', 'push']);
      expect(run.exitCode, run.all.slice(-2000)).toBe(0);
      expect(statuses()).toEqual({
        'platform-base': 'unchanged',
        'www-ameide': 'pushed',
        'workflow-worker': 'unchanged',
      });
      expect(built('www-ameide')).toBe(true);
      expect(built('workflow-worker')).toBe(false);
      expect(await tagDigest('www-ameide')).not.toBe(before);
    });
  });

  it('a touched base rebuilds everything built FROM it', async () => {
    await touched('apps/platform-base/Dockerfile', '\nLABEL touched=1\n', async () => {
      const run = await ws.cli(['run', 'push']);
      expect(run.exitCode, run.all.slice(-2000)).toBe(0);
      expect(statuses()).toEqual({ 'platform-base': 'pushed', 'www-ameide': 'pushed', 'workflow-worker': 'pushed' });
    });
  });

  it('pins verified digests into values files, keeping comments, and refuses an unverified one', async () => {
    const values = '# dev values\nimage:\n  ref: old   # pinned by imagefleet\n  pullPolicy: IfNotPresent\n';
    ws.write('gitops/www-ameide.yaml', values);
    ws.write('gitops/workflow-worker.yaml', values);
    const pin = await ws.cli(['pin', '--values', 'gitops/{service}.yaml']);
    expect(pin.exitCode, pin.all).toBe(0);
    const pins = JSON.parse(readFileSync(join(ws.dir, 'artifacts', 'image-digests.json'), 'utf8')) as Record<
      string,
      { ref: string; digest: string }
    >;
    const written = readFileSync(join(ws.dir, 'gitops/www-ameide.yaml'), 'utf8');
    expect(written).toBe(values.replace('ref: old', `ref: ${pins['www-ameide']!.ref}`));
    expect(pins['www-ameide']!.ref).toMatch(new RegExp(`^${registry.host}/ameide/www-ameide@sha256:[a-f0-9]{64}$`));

    // Damage workflow-worker's image in the registry: its pin must be refused, its file untouched.
    ws.write('gitops/workflow-worker.yaml', values);
    const m = (await imageInRegistry(registry.host, 'ameide/workflow-worker', pins['workflow-worker']!.digest)).image;
    rmSync(registry.layerLinkPath('ameide/workflow-worker', m.layers.at(-1)!.digest), { recursive: true });
    const refused = await ws.cli(['pin', '--values', 'gitops/{service}.yaml']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/workflow-worker: refused: refusing to pin workflow-worker .*missing-blob/);
    expect(readFileSync(join(ws.dir, 'gitops/workflow-worker.yaml'), 'utf8')).toBe(values);
    // Leave the registry whole for the other tests: the damaged image is rebuilt and pushed.
    const repaired = await ws.cli(['run', 'push']);
    expect(repaired.exitCode, repaired.all.slice(-2000)).toBe(0);
    expect(statuses()['workflow-worker']).toBe('pushed');
  });
});
