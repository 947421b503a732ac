/**
 * Ctrl-C in the middle of `nx run-many -t push`: every docker build/push the run started is
 * stopped (whole process groups, no orphans), and the summary still has a row for every
 * service — done, failed or interrupted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { startRegistry, type RunningRegistry } from '../support/registry-server.js';
import {
  DOCKER,
  PLAIN_OUTPUT_ENV,
  REPO_ROOT,
  dockerAvailable,
  makeWorkspace,
  stripAnsi,
  type TestWorkspace,
} from '../support/workspace.js';

const SLOW = ['slow-a', 'slow-b', 'slow-c'];

function manifest(pushHost: string): string {
  const slow = SLOW.map((s) => `  ${s}:\n    dependsOn: [platform-base]\n`).join('');
  return `registry:\n  host: ${pushHost}\n  pushHost: ${pushHost}\n  namespace: ameide\nbuilder:\n  docker: ${DOCKER}\nservices:\n  platform-base: {}\n${slow}`;
}

/** docker CLI processes that belong to this test's workspace or registry. */
async function ourDockerProcesses(ws: TestWorkspace, registry: RunningRegistry): Promise<string[]> {
  const ps = await execa('ps', ['-eo', 'pid=,args=']);
  return ps.stdout
    .split('\n')
    .filter((l) => /docker (build|push|buildx)/.test(l) && (l.includes(ws.dir) || l.includes(registry.host)));
}

// Ctrl-C reaches the whole foreground process group: nx and its batch process alike, or the
// imagefleet wrapper, nx and the batch.
describe.each([
  [
    'nx run-many -t push',
    [join(REPO_ROOT, 'node_modules/nx/dist/bin/nx.js'), 'run-many', '-t', 'push', '--jobs=2', '--outputStyle=stream'],
  ],
  ['imagefleet run push', ['tools/cli/bin/imagefleet.mjs', 'run', 'push', '--jobs', '2']],
])('interrupting %s', (_mode, command: string[]) => {
  let registry: RunningRegistry;
  let ws: TestWorkspace;
  let output = '';
  let exitCode: number | undefined;

  beforeAll(async () => {
    if (!(await dockerAvailable())) throw new Error('no Docker engine answers: run `bash tools/dev-env/up.sh` first');
    registry = await startRegistry();
    const files: Record<string, string> = {};
    for (const s of SLOW) {
      // A random value per run keeps BuildKit from answering from its cache.
      files[`apps/${s}/Dockerfile`] =
        `ARG PLATFORM_BASE_IMAGE\nFROM \${PLATFORM_BASE_IMAGE}\nRUN echo ${s}-${Date.now()} && sleep 60\n`;
    }
    ws = makeWorkspace({ manifest: manifest(registry.host), apps: ['platform-base'], files });

    // As a terminal runs it: nx in its own process group, SIGINT to the whole group (Ctrl-C).
    const nx: ResultPromise = execa(process.execPath, command, {
      cwd: ws.dir,
      detached: true,
      reject: false,
      all: true,
      env: PLAIN_OUTPUT_ENV,
    });
    nx.all?.on('data', (d: Buffer) => (output += stripAnsi(d.toString())));
    const deadline = Date.now() + 120_000;
    while (!/\[slow-\w\] build started/.test(output) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(output, output.slice(-2000)).toMatch(/\[slow-\w\] build started/);
    // Wait for the event, not for a time: a build of ours is running.
    while (!(await ourDockerProcesses(ws, registry)).length && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect((await ourDockerProcesses(ws, registry)).length).toBeGreaterThan(0);
    process.kill(-nx.pid!, 'SIGINT');
    const result = await Promise.race([nx, new Promise<null>((r) => setTimeout(() => r(null), 60_000))]);
    exitCode = result ? (result as { exitCode?: number }).exitCode : undefined;
    if (!result) process.kill(-nx.pid!, 'SIGKILL');
  }, 240_000);

  afterAll(async () => {
    await registry?.stop();
    ws?.dispose();
  });

  it('nx exits non-zero', () => {
    expect(exitCode, output.slice(-2000)).toBeDefined();
    expect(exitCode).not.toBe(0);
  });

  it('leaves no docker build or push process of the run behind', async () => {
    let left = await ourDockerProcesses(ws, registry);
    for (let i = 0; i < 50 && left.length; i++) {
      await new Promise((r) => setTimeout(r, 200));
      left = await ourDockerProcesses(ws, registry);
    }
    expect(left).toEqual([]);
  });

  it('still has a row for every service', () => {
    const csv = readFileSync(join(ws.dir, 'artifacts', 'image-build-logs', 'build-summary-dev.csv'), 'utf8');
    const rows = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const status = Object.fromEntries(rows.map((r) => [r[1], r[3]]));
    expect(Object.keys(status).sort(), csv + output.slice(-4000)).toEqual(['platform-base', ...SLOW].sort());
    expect(status['platform-base']).toBe('pushed');
    for (const s of SLOW) expect(status[s], csv).toBe('interrupted');
    expect(new Set(rows.map((r) => r[0])).size).toBe(1); // all from this run
  });
});
