/**
 * The verification walk against a real registry (Debian's distribution 2.8 on loopback).
 * Damage is done the two ways it happens in life: through the API (DELETE a manifest) and in
 * the registry's storage (a blob file gone or truncated, as after a bad GC or a lost volume).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  freePort,
  pushIndex,
  pushRandomImage,
  startRegistry,
  type RunningRegistry,
} from '../support/registry-server.js';
import {
  createRegistryClient,
  type RegistryClient,
  sha256Digest,
  DOCKER_FOREIGN_LAYER,
  DOCKER_MANIFEST,
  OCI_CONFIG,
  OCI_MANIFEST,
  verifyImages,
  type VerifyResult,
} from '@imagefleet/registry';

let registry: RunningRegistry;
let client: RegistryClient;

beforeAll(async () => {
  registry = await startRegistry();
  client = createRegistryClient({ host: registry.host });
});
afterAll(() => registry?.stop());

/** Narrow a result for the assertions that follow, showing it whole when the status is wrong. */
function expectStatus<S extends VerifyResult['status']>(
  result: VerifyResult,
  status: S,
): Extract<VerifyResult, { status: S }> {
  expect(result.status, JSON.stringify(result, null, 2)).toBe(status);
  return result as Extract<VerifyResult, { status: S }>;
}

/** Push one platform image and an attestation-style manifest for it, as BuildKit lays them out. */
async function pushPlatform(repo: string, architecture: string) {
  const image = await pushRandomImage(client, repo, null, { layers: 2, oci: true });
  const statement = Buffer.from(
    JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', subject: [{ digest: image.digest }] }),
  );
  const config = Buffer.from(
    JSON.stringify({ architecture: 'unknown', os: 'unknown', rootfs: { type: 'layers', diff_ids: [] } }),
  );
  const [configDigest, layerDigest] = await Promise.all([
    client.uploadBlob(repo, config),
    client.uploadBlob(repo, statement),
  ]);
  const attestationBytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
      layers: [
        {
          mediaType: 'application/vnd.in-toto+json',
          digest: layerDigest,
          size: statement.length,
          annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' },
        },
      ],
    }),
  );
  const attestationDigest = await client.putManifest(
    repo,
    sha256Digest(attestationBytes),
    attestationBytes,
    OCI_MANIFEST,
  );
  return {
    image,
    platformChild: { ...image.descriptor, platform: { os: 'linux', architecture } },
    attestationChild: {
      mediaType: OCI_MANIFEST,
      digest: attestationDigest,
      size: attestationBytes.length,
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': image.digest },
    },
  };
}

describe('verify', () => {
  test('a complete image verifies', async () => {
    const pushed = await pushRandomImage(client, 'team/complete', 'v1', { layers: 3 });
    const result = expectStatus(
      await client.verify('team/complete', 'v1', { expectedDigest: pushed.digest }),
      'verified',
    );
    expect(result).toMatchObject({ digest: pushed.digest, mediaType: DOCKER_MANIFEST, manifests: 1, blobs: 4 });
    // The config was read, not just HEADed: its (empty) labels come with the walk.
    expect(result.labels).toEqual([{}]);
    expect(result.reference).toBe(`${registry.host}/team/complete:v1`);
    expect(result.detail).toContain(pushed.digest);
  });

  test("the walk reads each image's labels from its config, and checks the config's bytes", async () => {
    const config = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Labels: { 'org.example.revision': 'abc123' } } }),
    );
    const configDigest = await client.uploadBlob('team/labelled', config);
    const bytes = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
        layers: [],
      }),
    );
    const digest = await client.putManifest('team/labelled', 'v1', bytes, OCI_MANIFEST);
    const result = expectStatus(await client.verify('team/labelled', 'v1'), 'verified');
    expect(result.labels).toEqual([{ 'org.example.revision': 'abc123' }]);
    // Same size, other bytes (storage altered in place): a HEAD cannot tell, the read does.
    const altered = Buffer.from(config.toString('utf8').replace('abc123', 'xyz789'));
    writeFileSync(registry.blobDataPath(configDigest), altered);
    const mismatch = expectStatus(await client.verify('team/labelled', 'v1'), 'digest-mismatch');
    expect(mismatch).toMatchObject({ why: 'content', expected: configDigest, manifest: digest });
    expect(mismatch.detail).toMatch(/hash to sha256:/);
  });

  test('a digest reference verifies too', async () => {
    const pushed = await pushRandomImage(client, 'team/bydigest', 'v1', { layers: 1 });
    expectStatus(await client.verify('team/bydigest', pushed.digest), 'verified');
  });

  test('a manifest deleted through the API is missing-manifest', async () => {
    const pushed = await pushRandomImage(client, 'team/deleted', 'v1', { layers: 1 });
    await client.deleteManifest('team/deleted', pushed.digest);
    // distribution 2.8 removes the tags pointing at a deleted manifest, so the tag is gone too.
    const byTag = expectStatus(await client.verify('team/deleted', 'v1'), 'missing-manifest');
    expect(byTag.missing).toBe('v1');
    expect(byTag.parent).toBeUndefined();
    expect(byTag.detail).toMatch(/no manifest for v1.*push the image again/);
    expectStatus(await client.verify('team/deleted', pushed.digest), 'missing-manifest');
  });

  test('a tag that was never pushed is missing-manifest', async () => {
    await pushRandomImage(client, 'team/some', 'v1');
    expect(expectStatus(await client.verify('team/some', 'v2'), 'missing-manifest').missing).toBe('v2');
    expectStatus(await client.verify('team/never-pushed', 'v1'), 'missing-manifest');
  });

  test('blobs removed from storage are all listed, with their kind', async () => {
    const pushed = await pushRandomImage(client, 'team/lostblobs', 'v1', { layers: 3 });
    rmSync(registry.blobDataPath(pushed.config.digest));
    rmSync(registry.blobDataPath(pushed.layers[2]!.digest));
    const result = expectStatus(await client.verify('team/lostblobs', 'v1'), 'missing-blob');
    expect(result.digest).toBe(pushed.digest);
    expect(result.missing).toEqual([
      {
        digest: pushed.config.digest,
        kind: 'config',
        manifest: pushed.digest,
        reason: 'absent',
        expectedSize: pushed.config.size,
      },
      {
        digest: pushed.layers[2]!.digest,
        kind: 'layer',
        manifest: pushed.digest,
        reason: 'absent',
        expectedSize: pushed.layers[2]!.size,
      },
    ]);
    expect(result.detail).toContain(pushed.layers[2]!.digest);
  });

  test('a layer this repository never received is missing-blob', async () => {
    // distribution refuses a manifest PUT naming a blob the repository lacks (MANIFEST_BLOB_UNKNOWN),
    // so the state is made the way it arises: the layer lives in another repository (shared
    // storage, e.g. a mount that was never made), and this repository holds no link to it.
    // Upload to both, PUT the manifest, then remove this repository's `_layers` link: the blob
    // data stays in storage, reachable from `team/other` only.
    const pushed = await pushRandomImage(client, 'team/unlinked', 'v1', { layers: 2 });
    const layer = pushed.layers[0]!;
    await client.uploadBlob('team/other', readFileSync(registry.blobDataPath(layer.digest)));
    rmSync(registry.layerLinkPath('team/unlinked', layer.digest));
    expect(await client.headBlob('team/other', layer.digest)).toEqual({ size: layer.size });
    const result = expectStatus(await client.verify('team/unlinked', 'v1'), 'missing-blob');
    expect(result.missing).toEqual([
      expect.objectContaining({ digest: layer.digest, kind: 'layer', reason: 'absent' }),
    ]);
    expect(await client.headBlob('team/unlinked', pushed.layers[1]!.digest)).toEqual({ size: pushed.layers[1]!.size });
  });

  test('a blob of the wrong size is reported with both sizes', async () => {
    const pushed = await pushRandomImage(client, 'team/truncated', 'v1', { layers: 1, layerSize: 300 });
    writeFileSync(registry.blobDataPath(pushed.layers[0]!.digest), randomBytes(100));
    const result = expectStatus(await client.verify('team/truncated', 'v1'), 'missing-blob');
    expect(result.missing).toEqual([
      expect.objectContaining({ reason: 'size-mismatch', expectedSize: 300, actualSize: 100 }),
    ]);
  });

  test('a stale tag is digest-mismatch', async () => {
    const first = await pushRandomImage(client, 'team/stale', 'v1', { layers: 1 });
    const second = await pushRandomImage(client, 'team/stale', 'v1', { layers: 1 });
    const result = expectStatus(
      await client.verify('team/stale', 'v1', { expectedDigest: first.digest }),
      'digest-mismatch',
    );
    expect(result).toMatchObject({ why: 'stale-tag', expected: first.digest, actual: second.digest });
    expect(result.detail).toMatch(/stale/);
  });

  test('foreign layers (with urls) are not looked for', async () => {
    const pushed = await pushRandomImage(client, 'team/foreign', null, { layers: 1 });
    const manifest = JSON.parse(pushed.bytes.toString()) as { layers: unknown[] };
    manifest.layers.push({
      mediaType: DOCKER_FOREIGN_LAYER,
      digest: `sha256:${'f'.repeat(64)}`,
      size: 1234,
      urls: ['https://example.com/layer.tar.gz'],
    });
    await client.putManifest('team/foreign', 'v1', Buffer.from(JSON.stringify(manifest)), DOCKER_MANIFEST);
    expect(expectStatus(await client.verify('team/foreign', 'v1'), 'verified').blobs).toBe(2);
  });

  describe('a multi-platform OCI index with an attestation', () => {
    test('is walked to every child', async () => {
      const amd = await pushPlatform('team/multi', 'amd64');
      const arm = await pushPlatform('team/multi', 'arm64');
      const index = await pushIndex(client, 'team/multi', 'v1', [
        amd.platformChild,
        arm.platformChild,
        amd.attestationChild,
      ]);
      const result = expectStatus(
        await client.verify('team/multi', 'v1', { expectedDigest: index.digest }),
        'verified',
      );
      // index + two platform images + one attestation; 2 × (config + 2 layers) + (config + statement).
      expect(result).toMatchObject({ manifests: 4, blobs: 8, digest: index.digest });
      // Two images' labels: the attestation manifest is not an image.
      expect(result.labels).toHaveLength(2);
    });

    test('finds a missing blob in one child', async () => {
      const amd = await pushPlatform('team/multi-lost', 'amd64');
      const arm = await pushPlatform('team/multi-lost', 'arm64');
      await pushIndex(client, 'team/multi-lost', 'v1', [amd.platformChild, arm.platformChild, arm.attestationChild]);
      rmSync(registry.blobDataPath(arm.image.layers[1]!.digest));
      const result = expectStatus(await client.verify('team/multi-lost', 'v1'), 'missing-blob');
      expect(result.missing).toEqual([
        expect.objectContaining({ digest: arm.image.layers[1]!.digest, kind: 'layer', manifest: arm.image.digest }),
      ]);
    });

    test('finds a missing child manifest and names its parent', async () => {
      const amd = await pushPlatform('team/multi-child', 'amd64');
      const arm = await pushPlatform('team/multi-child', 'arm64');
      const index = await pushIndex(client, 'team/multi-child', 'v1', [
        amd.platformChild,
        arm.platformChild,
        arm.attestationChild,
      ]);
      await client.deleteManifest('team/multi-child', arm.image.digest);
      const result = expectStatus(await client.verify('team/multi-child', 'v1'), 'missing-manifest');
      expect(result).toMatchObject({ missing: arm.image.digest, parent: index.digest });
      expect(result.detail).toContain('linux/arm64');
    });
  });

  test('verifyImages keeps the order of its items', async () => {
    const a = await pushRandomImage(client, 'team/many-a', 'v1');
    const b = await pushRandomImage(client, 'team/many-b', 'v1');
    const results = await verifyImages(
      client,
      [
        { repo: 'team/many-a', ref: 'v1', expectedDigest: a.digest },
        { repo: 'team/many-b', ref: 'v1', expectedDigest: a.digest },
        { repo: 'team/many-c', ref: 'v1' },
        { repo: 'team/many-b', ref: 'v1', expectedDigest: b.digest },
      ],
      { concurrency: 2 },
    );
    expect(results.map((r) => r.status)).toEqual(['verified', 'digest-mismatch', 'missing-manifest', 'verified']);
  });

  test('a closed port is unreachable, with host:port in the detail', async () => {
    const port = await freePort();
    const closed = createRegistryClient({ host: `127.0.0.1:${port}`, retry: { retries: 1, baseDelayMs: 1 } });
    const result = expectStatus(await closed.verify('team/app', 'v1'), 'unreachable');
    expect(result.detail).toContain(`nothing listens at 127.0.0.1:${port}`);
  });

  test('bad arguments throw at the door, naming the value', async () => {
    await expect(client.verify('Team/App', 'v1')).rejects.toThrow('repository name must be lowercase: "Team/App"');
    await expect(client.verify('team/app', 'v1+x')).rejects.toThrow('tag contains "+"');
    await expect(client.verify('team/app', 'v1', { expectedDigest: 'sha256:abc' })).rejects.toThrow(
      'digest must look like',
    );
  });
});
