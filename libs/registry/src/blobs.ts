/**
 * Blob endpoints. Blobs are linked per repository (distribution checks
 * `Repository.Blobs(ctx).Stat`), so existence is always asked of the target repository.
 */
import { sha256Digest } from './digest.js';
import type { Transport } from './transport/http.js';

/** HEAD a blob; `null` when the repository does not have it. */
export async function headBlob(t: Transport, repo: string, digest: string): Promise<{ size: number } | null> {
  const req = {
    method: 'HEAD',
    url: `/v2/${repo}/blobs/${digest}`,
    repository: repo,
    operation: `HEAD blob ${digest}`,
  } as const;
  const res = await t.request(req);
  if (res.status === 404) return null;
  if (res.status !== 200) throw await t.errorFor(res, req);
  const length = res.headers.get('content-length');
  return { size: length === null ? -1 : Number(length) };
}

/** Upload a blob in one piece: `POST …/blobs/uploads/` then `PUT <Location>?digest=`. Returns its digest. */
export async function uploadBlob(t: Transport, repo: string, bytes: Uint8Array): Promise<string> {
  const digest = sha256Digest(bytes);
  const start = {
    method: 'POST',
    url: `/v2/${repo}/blobs/uploads/`,
    repository: repo,
    operation: `POST blob upload for ${digest}`,
  } as const;
  const opened = await t.request(start);
  const location = opened.headers.get('location');
  if (opened.status !== 202 || !location) throw await t.errorFor(opened, start);
  await opened.body?.cancel();

  const url = new URL(location, t.origin);
  url.searchParams.set('digest', digest);
  const put = { method: 'PUT', url: url.href, repository: repo, operation: `PUT blob ${digest}` } as const;
  const done = await t.request({ ...put, headers: { 'content-type': 'application/octet-stream' }, body: bytes });
  if (done.status !== 201) throw await t.errorFor(done, put);
  await done.body?.cancel();
  return digest;
}
