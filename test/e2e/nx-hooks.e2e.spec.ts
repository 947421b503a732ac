/**
 * A bare `nx run-many -t push`, for real: one task per service; the plugin's pre-tasks hook
 * settles unchanged images (registry-verified) so their tasks end without building or starting
 * Node, and starts the run's task server for the rest; the post-tasks hook writes rows for tasks
 * Nx never ran and prints the table. Nx's cache answers a `push` only under the digest this run's
 * hook verified. And the case Nx's own cache gets wrong (nrwl/nx#15116): the registry lost an
 * image whose inputs did not change — it is rebuilt and pushed, not replayed from the cache.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useRegistryWorkspace } from '../support/registry-workspace.js';
import { DOCKER } from '../support/workspace.js';

const ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
const SERVICES = ['platform-base', 'www-ameide', 'workflow-worker'];
const SETTLED_LINE = /unchanged, verified sha256:[a-f0-9]{64} \(settled before the tasks started/;

function manifest(pushHost: string): string {
  return `registry:\n  host: ${pushHost}\n  pushHost: ${pushHost}\n  namespace: ameide\nbuilder:\n  docker: ${DOCKER}\nservices:\n  platform-base: {}\n  www-ameide:\n    dependsOn: [platform-base]\n  workflow-worker:\n    dependsOn: [platform-base]\n`;
}

interface Row {
  runId: string;
  status: string;
  phase: string;
  error: string;
}

describe('nx run-many -t push with the plugin hooks', () => {
  const setup = useRegistryWorkspace(manifest, SERVICES);
  const logs = () => join(setup.ws.dir, 'artifacts', 'image-build-logs');
  const rows = (): Record<string, Row> => {
    const summary = JSON.parse(readFileSync(join(logs(), 'build-summary-dev.json'), 'utf8')) as { rows: (Row & { service: string })[] };
    return Object.fromEntries(summary.rows.map((r) => [r.service, r]));
  };
  const statuses = () => Object.fromEntries(Object.entries(rows()).map(([s, r]) => [s, r.status]));
  const built = (service: string) => /docker build /.test(readFileSync(join(logs(), `${service}_dev.log`), 'utf8'));
  const pushAll = (env: Record<string, string> = {}, flags: string[] = []) => setup.ws.nx(['run-many', '-t', 'push', '--outputStyle=stream', ...flags], env);

  it('cold: one task per service builds, pushes and verifies; the table comes at the end', async () => {
    const run = await pushAll();
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
    expect(statuses()).toEqual({ 'platform-base': 'pushed', 'www-ameide': 'pushed', 'workflow-worker': 'pushed' });
    for (const s of SERVICES) expect(run.all).toContain(`nx run ${s}:push`);
    expect(run.all).not.toMatch(/nx run [\w-]+:image/);
    expect(new Set(Object.values(rows()).map((r) => r.runId)).size).toBe(1);
    expect(run.all).toMatch(/3 services: 3 pushed\s*$/);
    // The tasks after the base ran in the run's task server, not in a Node process each; it
    // stops once nx is gone.
    const runId = rows()['www-ameide']!.runId;
    const serverLog = join(setup.ws.dir, 'artifacts', '.imagefleet', 'task-server', `${runId}.log`);
    const deadline = Date.now() + 10_000;
    while (!/stopped/.test(readFileSync(serverLog, 'utf8')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const served = readFileSync(serverLog, 'utf8');
    expect(served).toMatch(/ (www-ameide|workflow-worker): exit 0/);
    expect(served).toMatch(/ stopped\n$/);
    expect(existsSync(join(setup.ws.dir, 'artifacts', '.imagefleet', 'task-server', `${runId}.info`))).toBe(false);
  }, 300_000);

  it('warm: every service settled before the tasks and its push replayed from Nx\'s cache; nothing built, every row unchanged and verified, one run id', async () => {
    const before = rows()['www-ameide']!.runId;
    // The first re-run already: the hook found every image verified, so each push is hashed
    // under the key of the run that pushed it, and Nx replays that task instead of starting one.
    const run = await pushAll();
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
    expect(run.all).toContain('Nx read the output from the cache instead of running the command for 3 out of 3 tasks');
    expect(statuses()).toEqual({ 'platform-base': 'unchanged', 'www-ameide': 'unchanged', 'workflow-worker': 'unchanged' });
    for (const s of SERVICES) expect(built(s), s).toBe(false);
    const ids = new Set(Object.values(rows()).map((r) => r.runId));
    expect(ids.size).toBe(1);
    expect(ids.has(before)).toBe(false);
    expect(run.all).toMatch(/3 services: 3 unchanged\s*$/);

    // Without Nx's cache the tasks run, and each ends in bash with the settled line.
    const uncached = await pushAll({}, ['--skipNxCache']);
    expect(uncached.exitCode, uncached.all.slice(-3000)).toBe(0);
    expect(uncached.all.match(new RegExp(SETTLED_LINE.source, 'g'))).toHaveLength(3);
    expect(statuses()).toEqual({ 'platform-base': 'unchanged', 'www-ameide': 'unchanged', 'workflow-worker': 'unchanged' });
    for (const s of SERVICES) expect(built(s), s).toBe(false);
    expect(new Set(Object.values(rows()).map((r) => r.runId)).has([...ids][0]!)).toBe(false);
  }, 120_000);

  it('an image the registry lost is rebuilt and pushed though no input changed (what Nx caching gets wrong)', async () => {
    const tag = await fetch(`http://${setup.registry.host}/v2/ameide/www-ameide/manifests/dev`, { method: 'HEAD', headers: { Accept: ACCEPT } });
    const digest = tag.headers.get('docker-content-digest')!;
    // Deleting by digest removes the manifest under every tag: dev and the content tag.
    expect((await fetch(`http://${setup.registry.host}/v2/ameide/www-ameide/manifests/${digest}`, { method: 'DELETE' })).status).toBe(202);
    // Values left in the caller's environment must not count, only the hook decides: the digest
    // as if settled, and the very key www-ameide's push is cached under.
    const keys = JSON.parse(readFileSync(join(setup.ws.dir, 'artifacts', '.imagefleet', 'nx-cache-keys.json'), 'utf8')) as Record<string, string>;
    const run = await pushAll({ IMAGEFLEET_SETTLED_WWW_AMEIDE: digest, IMAGEFLEET_CACHE_KEY_WWW_AMEIDE: keys['www-ameide']! });
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
    // Nx holds a cached push of www-ameide under that key: no hit this time, a build and a push.
    expect(run.all).toContain('for 2 out of 3 tasks');
    expect(statuses()).toEqual({ 'platform-base': 'unchanged', 'www-ameide': 'pushed', 'workflow-worker': 'unchanged' });
    const after = await fetch(`http://${setup.registry.host}/v2/ameide/www-ameide/manifests/dev`, { method: 'HEAD', headers: { Accept: ACCEPT } });
    expect(after.status).toBe(200);
  }, 300_000);

  it('with the hooks in Nx\'s own process, a changed service whose base is settled starts before Nx asks, and its task relays that work', async () => {
    writeFileSync(join(setup.ws.dir, 'apps/www-ameide/changed.txt'), `${Date.now()}\n`);
    const run = await pushAll({ NX_ISOLATE_PLUGINS: 'false' });
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
    expect(statuses()).toEqual({ 'platform-base': 'unchanged', 'www-ameide': 'pushed', 'workflow-worker': 'unchanged' });
    // The task's output is the work's, lines from before it connected included.
    expect(run.all).toMatch(/\[www-ameide\] build started[\s\S]*\[www-ameide\] verified sha256:/);
    const runId = rows()['www-ameide']!.runId;
    const dir = join(setup.ws.dir, 'artifacts', '.imagefleet', 'task-server');
    const served = readFileSync(join(dir, `${runId}.log`), 'utf8');
    expect(served).toContain('in the nx process');
    // Once: the head start, which the task then joined (no second build).
    expect(served.match(/www-ameide: push started.*/g)).toEqual(['www-ameide: push started (head start)']);
    expect(served).toContain('www-ameide: exit 0');
    expect(readFileSync(join(logs(), 'www-ameide_dev.log'), 'utf8').match(/docker build /g)).toHaveLength(1);
    expect(existsSync(join(dir, `${runId}.info`))).toBe(false);
  }, 300_000);

  it('with isolated plugins the server is a process of its own: it is waited for, then given the same head start', async () => {
    writeFileSync(join(setup.ws.dir, 'apps/www-ameide/changed.txt'), `${Date.now()}\n`);
    const run = await pushAll();
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
    expect(statuses()).toEqual({ 'platform-base': 'unchanged', 'www-ameide': 'pushed', 'workflow-worker': 'unchanged' });
    expect(run.all).toMatch(/\[www-ameide\] build started[\s\S]*\[www-ameide\] verified sha256:/);
    const runId = rows()['www-ameide']!.runId;
    const log = join(setup.ws.dir, 'artifacts', '.imagefleet', 'task-server', `${runId}.log`);
    const deadline = Date.now() + 10_000;
    while (!/stopped/.test(readFileSync(log, 'utf8')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const served = readFileSync(log, 'utf8');
    expect(served).not.toContain('in the nx process');
    expect(served.match(/www-ameide: push started.*/g)).toEqual(['www-ameide: push started (head start)']);
    expect(served).toContain('www-ameide: exit 0');
    expect(readFileSync(join(logs(), 'www-ameide_dev.log'), 'utf8').match(/docker build /g)).toHaveLength(1);
  }, 300_000);

  it('nx run <service>:push settles the base it builds FROM as well (hooks in Nx\'s own process)', async () => {
    const run = await setup.ws.nx(['run', 'workflow-worker:push', '--outputStyle=stream'], { NX_ISOLATE_PLUGINS: 'false' });
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
    expect(run.all.match(new RegExp(SETTLED_LINE.source, 'g'))).toHaveLength(2);
    const r = rows();
    expect(r['workflow-worker']!.runId).toBe(r['platform-base']!.runId);
    expect(r['workflow-worker']!.status).toBe('unchanged');
  }, 120_000);

  it('with the Nx daemon on (hooks in one long-lived process) each run is its own, and an image the registry lost after a push is rebuilt, not replayed', async () => {
    // Plugins in the daemon's own process: every invocation's hooks run in that one process.
    const daemon = { NX_DAEMON: 'true', NX_ISOLATE_PLUGINS: 'false' };
    await setup.ws.nx(['daemon', '--start'], daemon);
    try {
      // Pushed under this run's fresh cache key…
      writeFileSync(join(setup.ws.dir, 'apps/www-ameide/changed.txt'), `${Date.now()}\n`);
      const pushed = await pushAll(daemon);
      expect(pushed.exitCode, pushed.all.slice(-3000)).toBe(0);
      expect(statuses()['www-ameide']).toBe('pushed');
      const first = rows()['www-ameide']!.runId;
      // …then lost by the registry: the next run's fresh key must not be that one again.
      const tag = await fetch(`http://${setup.registry.host}/v2/ameide/www-ameide/manifests/dev`, { method: 'HEAD', headers: { Accept: ACCEPT } });
      const digest = tag.headers.get('docker-content-digest')!;
      expect((await fetch(`http://${setup.registry.host}/v2/ameide/www-ameide/manifests/${digest}`, { method: 'DELETE' })).status).toBe(202);
      const again = await pushAll(daemon);
      expect(again.exitCode, again.all.slice(-3000)).toBe(0);
      expect(statuses()).toEqual({ 'platform-base': 'unchanged', 'www-ameide': 'pushed', 'workflow-worker': 'unchanged' });
      expect(rows()['www-ameide']!.runId).not.toBe(first);
      expect(readFileSync(join(logs(), 'www-ameide_dev.log'), 'utf8')).toMatch(/docker push /);
      expect((await fetch(`http://${setup.registry.host}/v2/ameide/www-ameide/manifests/dev`, { method: 'HEAD', headers: { Accept: ACCEPT } })).status).toBe(200);
    } finally {
      await setup.ws.nx(['daemon', '--stop'], daemon);
    }
  }, 300_000);

  it('a failed base: its dependents get rows saying why they never ran, the run exits non-zero', async () => {
    const dockerfile = join(setup.ws.dir, 'apps/platform-base/Dockerfile');
    writeFileSync(dockerfile, `${readFileSync(dockerfile, 'utf8')}\nRUN false\n`);
    const run = await pushAll({ NX_ISOLATE_PLUGINS: 'false' });
    expect(run.exitCode).not.toBe(0);
    const r = rows();
    expect(r['platform-base']).toMatchObject({ status: 'failed', phase: 'build' });
    for (const s of ['www-ameide', 'workflow-worker']) {
      expect(r[s], s).toMatchObject({ status: 'failed', phase: 'build' });
      expect(r[s]!.error).toContain('an image it builds FROM (platform-base) failed');
      expect(r[s]!.runId).toBe(r['platform-base']!.runId);
    }
    expect(run.all).toMatch(/3 services: 3 failed/);
  }, 300_000);
});
