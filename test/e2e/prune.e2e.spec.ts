/**
 * `prune` against a real registry (Debian's distribution 2.8) with real garbage collection: images
 * pushed through the registry API with content tags, a pin, a values-file reference and a `dev`
 * tag; prune deletes by digest, stops the registry by its pid file, runs `garbage-collect` on its
 * config and starts it again. Kept images must verify; deleted manifests and their own blobs must
 * answer 404; blobs a kept image shares must stay.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest, type Manifest } from '@imagefleet/manifest';
import { prune, type PruneReport } from '@imagefleet/prune';
import { workspacePaths } from '@imagefleet/pipeline';
import { createRegistryClient, OCI_INDEX, type RegistryClient } from '@imagefleet/registry';
import { pushDatedImage, startGcRegistry, type DatedImage, type GcRegistry } from '../support/registry-gc.js';

const day = (n: number) => new Date(Date.UTC(2025, 0, 1 + n)).toISOString();

let reg: GcRegistry;
let client: RegistryClient;
let dir: string;
let manifest: Manifest;
const alpha: DatedImage[] = [];
const beta: DatedImage[] = [];
let orphan: DatedImage;
const base = randomBytes(2048); // a layer every image shares

beforeAll(async () => {
  reg = await startGcRegistry();
  client = createRegistryClient({ host: reg.host });
  dir = mkdtempSync(join(tmpdir(), 'imagefleet-prune-'));
  for (const s of ['alpha', 'beta', 'gamma']) {
    mkdirSync(join(dir, 'apps', s), { recursive: true });
    writeFileSync(join(dir, 'apps', s, 'Dockerfile'), 'FROM scratch\n');
  }
  writeFileSync(
    join(dir, 'services.manifest.yaml'),
    [
      'registry:',
      `  host: ${reg.host}`,
      `  pushHost: ${reg.host}`,
      '  namespace: ameide',
      '  insecure: true',
      'concurrency:',
      '  push: 2',
      'retention:',
      '  keep: 2',
      'defaults:',
      '  tag: dev',
      'services:',
      ...['alpha', 'beta', 'gamma'].flatMap((s) => [`  ${s}:`, `    context: apps/${s}`]),
      '',
    ].join('\n'),
  );
  manifest = await loadManifest(join(dir, 'services.manifest.yaml'));

  // alpha: v0 (day 0, a stray tag), content a1..a5, dev on a5; a1 pinned.
  alpha.push(await pushDatedImage(client, 'ameide/alpha', ['v0'], day(0), [base]));
  for (let n = 1; n <= 5; n++)
    alpha.push(
      await pushDatedImage(client, 'ameide/alpha', [`content-a${n}`, ...(n === 5 ? ['dev'] : [])], day(n), [base]),
    );
  const pin = alpha[1]!;
  mkdirSync(join(dir, 'artifacts'), { recursive: true });
  writeFileSync(
    workspacePaths(manifest).digests,
    JSON.stringify({
      alpha: {
        ref: `${reg.host}/ameide/alpha@${pin.digest}`,
        digest: pin.digest,
        tags: ['dev'],
        runId: 'r1',
        verifiedAt: day(1),
      },
    }),
  );
  // beta: content b1..b3, dev on b3; b1 (3rd newest) named by a values file; an orphan pushed by digest.
  for (let n = 1; n <= 3; n++)
    beta.push(
      await pushDatedImage(client, 'ameide/beta', [`content-b${n}`, ...(n === 3 ? ['dev'] : [])], day(n), [base]),
    );
  orphan = await pushDatedImage(client, 'ameide/beta', [], day(0), [base]);
  mkdirSync(join(dir, 'gitops', 'beta'), { recursive: true });
  writeFileSync(
    join(dir, 'gitops', 'beta', 'values.yaml'),
    `image:\n  # pinned by hand\n  ref: ${reg.host}/ameide/beta@${beta[0]!.digest}\n`,
  );
}, 60_000);

afterAll(async () => {
  await reg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const values = { file: 'gitops/{service}/values.yaml', path: 'image.ref' };
const actions = (report: PruneReport, repo: string) =>
  Object.fromEntries(report.manifests.filter((m) => m.repository === repo).map((m) => [m.digest, m.action]));
const gone = async (repo: string, image: DatedImage) => ({
  manifest: await client.headManifest(repo, image.digest),
  ownBlobs: await Promise.all([image.config, image.layers.at(-1)!].map((b) => client.headBlob(repo, b))),
  onDisk: [image.config, image.layers.at(-1)!].map((b) => existsSync(reg.blobDataPath(b))),
});

describe('prune', () => {
  it('--dry-run lists what would go and deletes nothing', async () => {
    const report = await prune(manifest, { services: [], dryRun: true, values, env: {}, client, gc: reg.target });
    expect(actions(report, 'ameide/alpha')).toEqual({
      [alpha[0]!.digest]: 'delete',
      [alpha[1]!.digest]: 'keep',
      [alpha[2]!.digest]: 'delete',
      [alpha[3]!.digest]: 'delete',
      [alpha[4]!.digest]: 'keep',
      [alpha[5]!.digest]: 'keep',
    });
    expect(actions(report, 'ameide/beta')).toEqual({
      [beta[0]!.digest]: 'keep',
      [beta[1]!.digest]: 'keep',
      [beta[2]!.digest]: 'keep',
    });
    expect(report.manifests.find((m) => m.digest === beta[0]!.digest)!.reasons).toEqual([
      'referenced by gitops/beta/values.yaml',
    ]);
    expect(report.manifests.filter((m) => m.action === 'delete').map((m) => m.outcome)).toEqual([
      'would delete',
      'would delete',
      'would delete',
    ]);
    for (const image of alpha) expect(await client.headManifest('ameide/alpha', image.digest)).not.toBeNull();
  });

  it('deletes by digest, collects garbage (untagged too, when safe), and every kept image verifies', async () => {
    const lines: string[] = [];
    const report = await prune(manifest, {
      services: [],
      dryRun: false,
      values,
      env: {},
      client,
      gc: reg.target,
      say: (l) => lines.push(l),
    });
    expect(report.gc).toMatchObject({ status: 'collected' });
    expect(report.gc.detail).toContain('--delete-untagged=true');
    expect(lines.join('\n')).toMatch(/pushes held \(2 slot\(s\)\); stopping the registry \(pid \d+\)/);
    expect(report.manifests.filter((m) => m.action === 'keep').map((m) => m.outcome)).toEqual(
      Array(6).fill('verified'),
    );
    expect(report.manifests.filter((m) => m.action === 'delete').map((m) => m.outcome)).toEqual([
      'deleted',
      'deleted',
      'deleted',
    ]);
    expect(report.ok).toBe(true);

    for (const image of [alpha[0]!, alpha[2]!, alpha[3]!]) {
      expect(await gone('ameide/alpha', image)).toEqual({
        manifest: null,
        ownBlobs: [null, null],
        onDisk: [false, false],
      });
    }
    // The orphan had no tag and nothing kept it: --delete-untagged removed it and its own blobs.
    expect(await gone('ameide/beta', orphan)).toEqual({
      manifest: null,
      ownBlobs: [null, null],
      onDisk: [false, false],
    });
    // The layer every image shares stays, and kept images verify through the restarted registry.
    expect(await client.headBlob('ameide/alpha', alpha[1]!.layers[0]!)).toEqual({ size: base.length });
    for (const image of [alpha[1]!, alpha[4]!, alpha[5]!])
      expect((await client.verify('ameide/alpha', image.digest)).status).toBe('verified');
    // Slots released: no push is blocked after a prune.
    expect(readdirSync(workspacePaths(manifest).pushSlots).filter((f) => f.endsWith('.lock'))).toEqual([]);
  });

  it('keeps --delete-untagged off while a kept index has untagged children, and the index still verifies', async () => {
    const old = await pushDatedImage(client, 'ameide/gamma', ['content-g1'], day(1), [base]);
    const g2 = await pushDatedImage(client, 'ameide/gamma', ['content-g2'], day(2), [base]);
    const children = [
      await pushDatedImage(client, 'ameide/gamma', [], day(3), [base]),
      await pushDatedImage(client, 'ameide/gamma', [], day(3), [base]),
    ];
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: children.map((c, i) => ({
          mediaType: c.mediaType,
          digest: c.digest,
          size: c.bytes.length,
          platform: { os: 'linux', architecture: i ? 'arm64' : 'amd64' },
        })),
      }),
    );
    const indexDigest = await client.putManifest('ameide/gamma', 'content-g3', index, OCI_INDEX);
    await client.putManifest('ameide/gamma', 'dev', index, OCI_INDEX);

    const report = await prune(manifest, { services: [], dryRun: false, values, env: {}, client, gc: reg.target });
    expect(report.gc).toMatchObject({ status: 'collected' });
    expect(report.gc.detail).toContain('--delete-untagged=false');
    expect(report.gc.detail).toContain('a tagged index names it');
    expect(actions(report, 'ameide/gamma')).toEqual({
      [old.digest]: 'delete',
      [g2.digest]: 'keep',
      [indexDigest]: 'keep',
    });
    expect(report.manifests.find((m) => m.digest === old.digest)!.outcome).toBe('deleted');
    expect(await gone('ameide/gamma', old)).toEqual({ manifest: null, ownBlobs: [null, null], onDisk: [false, false] });
    const verified = await client.verify('ameide/gamma', indexDigest);
    expect(verified.status).toBe('verified');
    for (const c of children) expect(await client.headManifest('ameide/gamma', c.digest)).not.toBeNull();
    expect(report.ok).toBe(true);
  });
});
