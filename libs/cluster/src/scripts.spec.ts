/**
 * The generated k3d.sh and kind.sh, run by `sh` against recorded fakes of docker, kind, k3d,
 * kubectl and ss (testing/fake-tools.sh; the real tools cannot run here): the argument logs of a
 * fresh run, a second run (nothing created again, exit 0) and a held port (refused before
 * anything is touched) are compared with golden files.
 */
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import type { ClusterKind } from './target.js';
import { expectGolden } from './testing/golden.js';
import { manifestWith } from './testing/manifest.js';
import { writeClusterConfig } from './write.js';

const FAKE = fileURLToPath(new URL('./testing/fake-tools.sh', import.meta.url));
const TOOLS = ['docker', 'kind', 'k3d', 'kubectl', 'ss'];
/** What `ss -Hltnp` prints for up.sh's registry on the push port. */
const UP_SH_REGISTRY = 'LISTEN 0 4096 127.0.0.1:5001 0.0.0.0:* users:(("docker-registry",pid=4242,fd=3))';

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

interface Machine {
  out: string;
  state: string;
  log: string;
  /** Run the script; one golden-style record of its calls, output and exit code. */
  run(args?: string[]): Promise<{ record: string; exitCode: number }>;
}

async function machine(kind: Extract<ClusterKind, 'k3d' | 'kind'>, workers = 0): Promise<Machine> {
  root = mkdtempSync(path.join(tmpdir(), 'cluster-scripts-'));
  const bin = path.join(root, 'bin');
  const state = path.join(root, 'state');
  const log = path.join(root, 'calls.log');
  mkdirSync(bin);
  mkdirSync(state);
  const fake = path.join(bin, 'fake-tools.sh');
  copyFileSync(FAKE, fake);
  chmodSync(fake, 0o755);
  for (const tool of TOOLS) symlinkSync(fake, path.join(bin, tool));
  const out = path.join(root, 'cluster');
  await writeClusterConfig(out, manifestWith(), kind, { workers });
  return {
    out,
    state,
    log,
    async run(args = []) {
      writeFileSync(log, '');
      const res = spawnSync('sh', [path.join(out, `${kind}.sh`), ...args], {
        encoding: 'utf8',
        timeout: 30_000,
        env: { PATH: `${bin}:/usr/bin:/bin`, FAKE_STATE: state, FAKE_LOG: log },
      });
      const record = [
        `$ sh ${kind}.sh${args.map((a) => ` ${a}`).join('')}`,
        readFileSync(log, 'utf8').trimEnd(),
        '-- stdout',
        res.stdout.trimEnd(),
        '-- stderr',
        res.stderr.trimEnd(),
        `-- exit ${res.status}`,
        '',
      ].join('\n');
      return { record, exitCode: res.status ?? -1 };
    },
  };
}

function hold(m: Machine, port: number, ssLine: string): void {
  mkdirSync(path.join(m.state, 'listen'), { recursive: true });
  writeFileSync(path.join(m.state, 'listen', String(port)), `${ssLine}\n`);
}

describe('k3d.sh', () => {
  test('fresh, then a second run that changes nothing', async () => {
    const m = await machine('k3d');
    const fresh = await m.run();
    expect(fresh.exitCode, fresh.record).toBe(0);
    expectGolden('scripts/k3d-fresh.txt', fresh.record);
    const again = await m.run();
    expect(again.exitCode, again.record).toBe(0);
    expect(again.record).not.toMatch(/^k3d (registry|cluster) create/m);
    expectGolden('scripts/k3d-second-run.txt', again.record);
  });

  test("port held by up.sh's registry: refused before anything is touched, naming the port, the holder and --port", async () => {
    const m = await machine('k3d');
    hold(m, 5001, UP_SH_REGISTRY);
    const refused = await m.run();
    expect(refused.exitCode, refused.record).toBe(1);
    expect(refused.record).not.toMatch(/create|run -d|start/);
    expectGolden('scripts/k3d-port-held.txt', refused.record);
    const moved = await m.run(['--port', '5002']);
    expect(moved.exitCode, moved.record).toBe(0);
    expect(moved.record).toContain('k3d registry create ameide.localhost --port 5002');
    expect(moved.record).toContain('--registry-use k3d-ameide.localhost:5002');
  });

  test('a stopped registry container of ours is started, not created again', async () => {
    const m = await machine('k3d');
    await m.run();
    writeFileSync(path.join(m.state, 'containers', 'k3d-ameide.localhost'), 'false\n');
    const again = await m.run();
    expect(again.exitCode, again.record).toBe(0);
    expect(again.record).toContain('docker start k3d-ameide.localhost');
    expect(again.record).not.toMatch(/^k3d registry create/m);
  });
});

describe('kind.sh', () => {
  test('fresh with a worker, then a second run that changes nothing', async () => {
    const m = await machine('kind', 1);
    const fresh = await m.run();
    expect(fresh.exitCode, fresh.record).toBe(0);
    expectGolden('scripts/kind-fresh.txt', fresh.record);
    const again = await m.run();
    expect(again.exitCode, again.record).toBe(0);
    expect(again.record).not.toMatch(/^docker (run|network connect|cp)|^kind create/m);
    expectGolden('scripts/kind-second-run.txt', again.record);
  });

  test('port held by another container: refused, naming it', async () => {
    const m = await machine('kind');
    mkdirSync(path.join(m.state, 'published'));
    writeFileSync(path.join(m.state, 'published', '5001'), 'registry\n');
    const refused = await m.run();
    expect(refused.exitCode, refused.record).toBe(1);
    expectGolden('scripts/kind-port-held.txt', refused.record);
  });

  test('a worker added to kind-cluster.yaml by hand, without the mount, gets the mirrors copied', async () => {
    const m = await machine('kind');
    const config = path.join(m.out, 'kind-cluster.yaml');
    writeFileSync(config, `${readFileSync(config, 'utf8')}  - role: worker\n`);
    const fresh = await m.run();
    expect(fresh.exitCode, fresh.record).toBe(0);
    expect(fresh.record).toContain('kind.sh: ameide-worker: no certs.d mount, copying certs.d/localhost:5001');
    expect(fresh.record).toMatch(
      /^docker cp certs\.d\/localhost:5001\/\. ameide-worker:\/etc\/containerd\/certs\.d\/localhost:5001\/$/m,
    );
    expect(fresh.record).not.toMatch(/^docker cp .* ameide-control-plane:/m);
    const again = await m.run();
    expect(again.record).not.toMatch(/^docker cp/m);
  });
});
