/** `getBlob` against the real registry, and the digest check against a fake that lies. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { pushRandomImage, startRegistry, type RunningRegistry } from '../support/registry-server.js';
import { createRegistryClient, type RegistryClient, sha256Digest } from '@imagefleet/registry';

let registry: RunningRegistry;
let client: RegistryClient;
beforeAll(async () => {
  registry = await startRegistry();
  client = createRegistryClient({ host: registry.host });
});
afterAll(() => registry?.stop());

test('getBlob returns the exact bytes of an image config', async () => {
  const image = await pushRandomImage(client, 'team/configs', 'v1');
  const bytes = await client.getBlob('team/configs', image.config.digest);
  expect(sha256Digest(bytes)).toBe(image.config.digest);
  expect(JSON.parse(bytes.toString('utf8'))).toMatchObject({ os: 'linux' });
});

test('a blob the repository does not have is BLOB_UNKNOWN', async () => {
  await pushRandomImage(client, 'team/configs-missing', 'v1');
  await expect(
    client.getBlob('team/configs-missing', sha256Digest(Buffer.from('never uploaded'))),
  ).rejects.toMatchObject({ status: 404, code: 'BLOB_UNKNOWN' });
});

test('bytes that hash to another digest are DIGEST_MISMATCH', async () => {
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end('not the blob'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  try {
    const fake = createRegistryClient({ host: `127.0.0.1:${(server.address() as AddressInfo).port}` });
    await expect(fake.getBlob('team/x', sha256Digest(Buffer.from('the blob')))).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
