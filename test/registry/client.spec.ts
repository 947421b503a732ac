/**
 * The endpoint calls against the real registry, and the checks the real registry never gives
 * a reason to fire (a lying digest header, a rewritten Content-Type, a cross-host redirect)
 * against small fakes that speak the same protocol.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pushRandomImage, startRegistry, type RunningRegistry } from '../support/registry-server.js';
import {
  createRegistryClient,
  type RegistryClient,
  sha256Digest,
  RegistryError,
  redact,
  DOCKER_MANIFEST,
  OCI_MANIFEST,
} from '@imagefleet/registry';

let registry: RunningRegistry;
let client: RegistryClient;
beforeAll(async () => {
  registry = await startRegistry();
  client = createRegistryClient({ host: registry.host });
});
afterAll(() => registry?.stop());

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
async function fake(handler: Handler): Promise<{ host: string; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe('against the real registry', () => {
  test('uploadBlob and headBlob', async () => {
    const bytes = randomBytes(1000);
    const digest = await client.uploadBlob('team/blobs', bytes);
    expect(digest).toBe(sha256Digest(bytes));
    expect(await client.headBlob('team/blobs', digest)).toEqual({ size: 1000 });
    expect(await client.headBlob('team/blobs', sha256Digest(Buffer.from('never uploaded')))).toBeNull();
  });

  test('put, head, get and delete a manifest; the bytes come back exactly', async () => {
    const pushed = await pushRandomImage(client, 'team/manifests', 'v1', { layers: 2, oci: true });
    expect(pushed.bytes.toString()).toContain('\n  '); // pretty-printed: re-serialising would change the digest
    expect(await client.headManifest('team/manifests', 'v1')).toEqual({
      digest: pushed.digest,
      mediaType: OCI_MANIFEST,
      size: pushed.bytes.length,
    });
    const got = await client.getManifest('team/manifests', 'v1');
    expect(got.digest).toBe(pushed.digest);
    expect(got.mediaType).toBe(OCI_MANIFEST);
    expect(Buffer.compare(got.bytes, pushed.bytes)).toBe(0);
    expect(got.json).toMatchObject({ schemaVersion: 2, layers: [{}, {}] });

    await client.deleteManifest('team/manifests', pushed.digest);
    expect(await client.headManifest('team/manifests', 'v1')).toBeNull();
    const error = await client.getManifest('team/manifests', pushed.digest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({
      status: 404,
      code: 'MANIFEST_UNKNOWN',
      retryable: false,
      repository: 'team/manifests',
    });
    expect((error as Error).message).toBe(
      `GET manifest ${pushed.digest} at ${registry.host}/team/manifests failed: 404 Not Found: MANIFEST_UNKNOWN: manifest unknown`,
    );
  });

  test('a manifest naming a blob the repository lacks is refused (MANIFEST_BLOB_UNKNOWN)', async () => {
    const config = {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      digest: sha256Digest(Buffer.from('nope')),
      size: 4,
    };
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config, layers: [] }));
    await expect(client.putManifest('team/refused', 'v1', bytes, DOCKER_MANIFEST)).rejects.toMatchObject({
      status: 400,
      code: 'MANIFEST_BLOB_UNKNOWN',
    });
  });

  test('listTags returns every tag, sorted', async () => {
    // distribution 2.8 ignores `n`/`last` for tags and answers in directory order; see the fake below for paging.
    const image = await pushRandomImage(client, 'team/tags', 'a');
    for (const tag of ['e', 'c', 'b', 'd']) await client.putManifest('team/tags', tag, image.bytes, image.mediaType);
    expect(await client.listTags('team/tags', { pageSize: 2 })).toEqual(['a', 'b', 'c', 'd', 'e']);
    await expect(client.listTags('team/no-such-repo')).rejects.toMatchObject({ status: 404, code: 'NAME_UNKNOWN' });
  });
});

describe('checks on what a registry serves', () => {
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: 'x', digest: sha256Digest(Buffer.from('c')), size: 1 },
      layers: [],
    }),
  );
  const serving = (headers: Record<string, string>) =>
    fake((req, res) => {
      if (req.url === '/v2/') return res.end('{}');
      res.writeHead(200, { 'content-type': DOCKER_MANIFEST, 'docker-content-digest': sha256Digest(body), ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    });

  test('Docker-Content-Digest differing from the bytes is rejected', async () => {
    const liar = await serving({ 'docker-content-digest': sha256Digest(Buffer.from('other')) });
    try {
      const c = createRegistryClient({ host: liar.host });
      await expect(c.getManifest('team/app', 'v1')).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
      const result = await c.verify('team/app', 'v1');
      expect(result).toMatchObject({
        status: 'digest-mismatch',
        why: 'header',
        expected: sha256Digest(Buffer.from('other')),
        actual: sha256Digest(body),
      });
    } finally {
      await liar.close();
    }
  });

  test('bytes served for a digest that hash to another digest are rejected', async () => {
    const wrong = await serving({});
    try {
      const asked = sha256Digest(Buffer.from('what was asked for'));
      const result = await createRegistryClient({ host: wrong.host }).verify('team/app', asked);
      expect(result).toMatchObject({
        status: 'digest-mismatch',
        why: 'content',
        expected: asked,
        actual: sha256Digest(body),
      });
    } finally {
      await wrong.close();
    }
  });

  test('a Content-Type naming another manifest type than the body is rejected', async () => {
    const rewriter = await serving({ 'content-type': OCI_MANIFEST });
    try {
      const c = createRegistryClient({ host: rewriter.host });
      await expect(c.getManifest('team/app', 'v1')).rejects.toMatchObject({ code: 'MEDIA_TYPE_MISMATCH' });
      expect(await c.verify('team/app', 'v1')).toMatchObject({
        status: 'digest-mismatch',
        why: 'media-type',
        expected: OCI_MANIFEST,
        actual: DOCKER_MANIFEST,
      });
    } finally {
      await rewriter.close();
    }
  });

  test('HEAD without Docker-Content-Digest falls back to hashing a GET', async () => {
    const old = await fake((req, res) => {
      res.writeHead(200, { 'content-type': DOCKER_MANIFEST });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
    try {
      expect(await createRegistryClient({ host: old.host }).headManifest('team/app', 'v1')).toEqual({
        digest: sha256Digest(body),
        mediaType: DOCKER_MANIFEST,
        size: body.length,
      });
    } finally {
      await old.close();
    }
  });

  test('Authorization follows a same-host redirect but never one to another host', async () => {
    const seenByStorage: (string | undefined)[] = [];
    const storage = await fake((req, res) => {
      seenByStorage.push(req.headers.authorization);
      res.writeHead(200, { 'content-length': '42' });
      res.end();
    });
    const seenByRegistry: Record<string, string | undefined> = {};
    const front = await fake((req, res) => {
      seenByRegistry[req.url ?? ''] = req.headers.authorization;
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' });
        return res.end();
      }
      const digest = req.url?.split('/').pop() ?? '';
      if (req.url?.startsWith('/v2/team/app/blobs/')) {
        res.writeHead(307, { location: `/moved/${digest}` });
        return res.end();
      }
      if (req.url?.startsWith('/moved/')) {
        res.writeHead(307, { location: `http://${storage.host}/data/${digest}?X-Signature=secret-sig` });
        return res.end();
      }
      res.writeHead(404);
      res.end();
    });
    try {
      const c = createRegistryClient({ host: front.host, credentials: { username: 'u', password: 'p' } });
      expect(await c.headBlob('team/app', sha256Digest(Buffer.from('b')))).toEqual({ size: 42 });
      expect(Object.values(seenByRegistry).filter(Boolean)).toHaveLength(2); // the blob URL and the same-host redirect
      expect(seenByStorage).toEqual([undefined]);
    } finally {
      await front.close();
      await storage.close();
    }
  });
});

test('listTags follows the relative Link header page by page', async () => {
  // Pages as distribution v3 writes them (registry/handlers/tags.go): relative `Link`, `n` and `last`.
  const all = ['a', 'b', 'c', 'd', 'e'];
  const requested: string[] = [];
  const paging = await fake((req, res) => {
    requested.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    const n = Number(url.searchParams.get('n') ?? 100);
    const rest = all.filter((t) => t > (url.searchParams.get('last') ?? ''));
    const page = rest.slice(0, n);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (rest.length > n) headers.link = `</v2/team/app/tags/list?last=${page.at(-1)}&n=${n}>; rel="next"`;
    res.writeHead(200, headers);
    res.end(JSON.stringify({ name: 'team/app', tags: page }));
  });
  try {
    expect(await createRegistryClient({ host: paging.host }).listTags('team/app', { pageSize: 2 })).toEqual(all);
    expect(requested).toEqual([
      '/v2/team/app/tags/list?n=2',
      '/v2/team/app/tags/list?last=b&n=2',
      '/v2/team/app/tags/list?last=d&n=2',
    ]);
  } finally {
    await paging.close();
  }
});

describe('errors carry no secrets', () => {
  test.each([
    ['GET https://user:hunter2@reg.example.com/v2/ failed', 'GET https://***@reg.example.com/v2/ failed'],
    [
      'redirected to https://s3.example.com/blob?X-Amz-Signature=abc&X-Amz-Credential=k',
      'redirected to https://s3.example.com/blob?***',
    ],
    ['sent Authorization: Bearer eyJhbGciOi.abc-def_ghi', 'sent Authorization: Bearer ***'],
    ['sent Basic dXNlcjpwYXNz', 'sent Basic ***'],
  ])('%s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });
});

test("listRepositories follows the catalog's Link header page by page", async () => {
  const requested: string[] = [];
  const paging = await fake((req, res) => {
    requested.push(req.url ?? '');
    const last = new URL(req.url ?? '/', 'http://x').searchParams.get('last');
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(last === null && { link: '</v2/_catalog?last=a%2Fb&n=1000>; rel="next"' }),
    });
    res.end(JSON.stringify({ repositories: last === null ? ['a/b'] : ['ameide/www_ameide'] }));
  });
  try {
    expect(await createRegistryClient({ host: paging.host }).listRepositories()).toEqual(['a/b', 'ameide/www_ameide']);
    expect(requested).toEqual(['/v2/_catalog?n=1000', '/v2/_catalog?last=a%2Fb&n=1000']);
  } finally {
    await paging.close();
  }
});
