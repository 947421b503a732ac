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

/** @throws RegistryError (`BLOB_UNKNOWN` on 404, `BLOB_TOO_LARGE`, `DIGEST_MISMATCH`) */
export async function getBlob(
  t: Transport,
  repo: string,
  digest: string,
  maxBytes = DEFAULT_MAX_BLOB_BYTES,
): Promise<Buffer> {
  const req = {
    method: 'GET',
    url: `/v2/${repo}/blobs/${digest}`,
    repository: repo,
    operation: `GET blob ${digest}`,
  } as const;
  const res = await t.request(req);
  if (res.status !== 200) throw await t.errorFor(res, req);
  const fail = (code: string, reason: string) => new RegistryError({ ...req, host: t.opts.host, code, reason });
  const tooLarge = (size: number) =>
    fail('BLOB_TOO_LARGE', `blob is ${size} bytes, more than the ${maxBytes} this read allows`);
  const length = Number(res.headers.get('content-length') ?? -1);
  if (length > maxBytes) {
    await res.body?.cancel();
    throw tooLarge(length);
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length > maxBytes) throw tooLarge(bytes.length);
  const actual = digestOf(bytes, digest);
  if (actual !== digest) throw fail('DIGEST_MISMATCH', `the bytes served hash to ${actual}`);
  return bytes;
}
