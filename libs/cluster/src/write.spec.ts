import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { parse } from 'yaml';
import { clusterConfig } from './config.js';
import { ClusterConfigError } from './errors.js';
import { manifestWith } from './testing/manifest.js';
import { writeClusterConfig } from './write.js';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('writes every file under the directory, made absolute for KIND mounts, no temp files left', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cluster-'));
  const out = path.join(dir, 'out');
  const written = await writeClusterConfig(path.relative(process.cwd(), out), manifestWith(), 'kind');
  expect(written.dir).toBe(out);
  expect(written.written.map((f) => path.relative(out, f))).toEqual(Object.keys(written.files));
  for (const [relative, content] of Object.entries(written.files))
    expect(readFileSync(path.join(out, relative), 'utf8')).toBe(content);
  expect(parse(written.files['kind-cluster.yaml']!).nodes[0].extraMounts[0].hostPath).toBe(path.join(out, 'certs.d'));
  expect(statSync(path.join(out, 'kind.sh')).mode & 0o777).toBe(0o755);
  const all = readdirSync(out, { recursive: true }).map(String);
  expect(all.filter((n) => n.endsWith('.tmp'))).toEqual([]);
  expect(all.sort()).toContain(path.join('certs.d', 'k3d-ameide.localhost:5001', 'hosts.toml'));
});

test('a second write replaces the content (a changed port reaches the files)', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cluster-'));
  await writeClusterConfig(dir, manifestWith(), 'k3s');
  await writeClusterConfig(dir, manifestWith({ host: 'k3d-ameide.localhost:5002', pushHost: 'localhost:5002' }), 'k3s');
  const text = readFileSync(path.join(dir, 'registries.yaml'), 'utf8');
  expect(text).toBe(
    clusterConfig(manifestWith({ host: 'k3d-ameide.localhost:5002', pushHost: 'localhost:5002' }), 'k3s').files[
      'registries.yaml'
    ],
  );
});

test('a directory that cannot be made fails at once, naming it (Node loops for ever under /proc)', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cluster-'));
  await expect(writeClusterConfig('/proc/imagefleet-x', manifestWith(), 'containerd')).rejects.toThrow(
    /^cluster-config --out \/proc\/imagefleet-x: cannot create \/proc\/imagefleet-x \(ENOENT\): choose a directory you can write$/,
  );
});

test('a file where the directory should be is refused with the path', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cluster-'));
  writeFileSync(path.join(dir, 'out'), '');
  await expect(writeClusterConfig(path.join(dir, 'out'), manifestWith(), 'k3s')).rejects.toThrow(ClusterConfigError);
  await expect(writeClusterConfig(path.join(dir, 'out'), manifestWith(), 'k3s')).rejects.toThrow(
    /is a file, not a directory/,
  );
});
