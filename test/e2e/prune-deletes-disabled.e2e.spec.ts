/**
 * `prune` against a registry with deletes turned off (distribution's default): every DELETE is
 * refused with 405 UNSUPPORTED. The report counts nothing as deleted, names the refusal on each
 * row and ends with the one-line fix (issue 16 #5: it said "1 kept, 3 deleted, 3 failed").
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadManifest, type Manifest } from '@imagefleet/manifest';
import { prune, pruneCounts, pruneSummary } from '@imagefleet/prune';
import { createRegistryClient, type RegistryClient } from '@imagefleet/registry';
import { pushDatedImage } from '../support/registry-gc.js';
import { startRegistry, type RunningRegistry } from '../support/registry-server.js';

const day = (n: number) => new Date(Date.UTC(2025, 0, 1 + n)).toISOString();

let reg: RunningRegistry;
let client: RegistryClient;
let dir: string;
let manifest: Manifest;

beforeAll(async () => {
  reg = await startRegistry({ deleteEnabled: false });
  client = createRegistryClient({ host: reg.host });
  dir = mkdtempSync(join(tmpdir(), 'imagefleet-prune-refused-'));
  mkdirSync(join(dir, 'apps', 'alpha'), { recursive: true });
  writeFileSync(join(dir, 'apps', 'alpha', 'Dockerfile'), 'FROM scratch\n');
  writeFileSync(
    join(dir, 'services.manifest.yaml'),
    `registry:\n  host: ${reg.host}\n  pushHost: ${reg.host}\n  namespace: ameide\nretention:\n  keep: 1\ndefaults:\n  tag: dev\nservices:\n  alpha: {context: apps/alpha}\n`,
  );
  manifest = await loadManifest(join(dir, 'services.manifest.yaml'));
  for (let n = 1; n <= 4; n++)
    await pushDatedImage(client, 'ameide/alpha', [`content-a${n}`, ...(n === 4 ? ['dev'] : [])], day(n));
}, 60_000);

afterAll(async () => {
  await reg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('counts refused deletes as not deleted, and says how to turn deletes on', async () => {
  const report = await prune(manifest, { services: [], dryRun: false, env: {}, client, gc: null });
  const refused = report.manifests.filter((m) => m.action === 'delete');
  expect(refused).toHaveLength(3);
  for (const m of refused) {
    expect(m.ok).toBe(false);
    expect(m.outcome).toBe(`not deleted: ${reg.host} has deletes disabled (405 UNSUPPORTED)`);
    expect(await client.headManifest('ameide/alpha', m.digest)).not.toBeNull();
  }
  expect(report.deletesDisabled).toBe(true);
  expect(report.ok).toBe(false);
  expect(pruneCounts(report)).toEqual({ kept: 1, deleted: 0, wouldDelete: 0, failed: 3 });
  expect(pruneSummary(report, 1, reg.host)).toEqual([
    '1 service(s): 1 kept, 0 deleted, 3 not deleted',
    `${reg.host} refuses deletes: start it with REGISTRY_STORAGE_DELETE_ENABLED=true (or storage.delete.enabled: true in its config.yml), then prune again`,
  ]);
});
