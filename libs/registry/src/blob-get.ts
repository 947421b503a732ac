/**
 * `GET /v2/<name>/blobs/<digest>` for small blobs (image configs): the bytes, hashed and
 * checked against the digest asked for — a registry's answer is never taken on trust. Large
 * blobs (layers) are never read whole: `maxBytes` bounds what is buffered.
 */
import { digestOf } from './digest.js';
import { RegistryError } from './errors.js';
import type { Transport } from './transport/http.js';

/** Image configs are kilobytes; this bounds a mistake (asking for a layer) rather than a real config. */
export const DEFAULT_MAX_BLOB_BYTES = 16 * 1024 * 1024;

/**
 * The bytes under `digest`, or null when the registry answers 404 — not yet hashed: `getBlob`
 * refuses a mismatch, the verification walk reports it as a finding.
 * @throws RegistryError (`BLOB_TOO_LARGE`, or what another status says)
 */
export async function readBlob(
  t: Transport,
  repo: string,
  digest: string,
  maxBytes = DEFAULT_MAX_BLOB_BYTES,
): Promise<Buffer | null> {
  const req = blobGet(repo, digest);
  const res = await t.request(req);
  if (res.status === 404) {
    await res.body?.cancel();
    return null;
  }
  if (res.status !== 200) throw await t.errorFor(res, req);
  const tooLarge = (size: number) =>
    new RegistryError({
      ...req,
      host: t.opts.host,
      code: 'BLOB_TOO_LARGE',
      reason: `blob is ${size} bytes, more than the ${maxBytes} this read allows`,
    });
  const length = Number(res.headers.get('content-length') ?? -1);
  if (length > maxBytes) {
    await res.body?.cancel();
    throw tooLarge(length);
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length > maxBytes) throw tooLarge(bytes.length);
  return bytes;
}

/** @throws RegistryError (`BLOB_UNKNOWN` on 404, `BLOB_TOO_LARGE`, `DIGEST_MISMATCH`) */
export async function getBlob(
  t: Transport,
  repo: string,
  digest: string,
  maxBytes = DEFAULT_MAX_BLOB_BYTES,
): Promise<Buffer> {
  const bytes = await readBlob(t, repo, digest, maxBytes);
  const fail = (status: number | undefined, code: string, reason: string) =>
    new RegistryError({ ...blobGet(repo, digest), host: t.opts.host, status, code, reason });
  if (!bytes) throw fail(404, 'BLOB_UNKNOWN', 'the registry has no such blob in this repository');
  const actual = digestOf(bytes, digest);
  if (actual !== digest) throw fail(undefined, 'DIGEST_MISMATCH', `the bytes served hash to ${actual}`);
  return bytes;
}

const blobGet = (repo: string, digest: string) =>
  ({ method: 'GET', url: `/v2/${repo}/blobs/${digest}`, repository: repo, operation: `GET blob ${digest}` }) as const;
