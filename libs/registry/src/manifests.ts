/**
 * Manifest endpoints: `/v2/<name>/manifests/<reference>`. Every request accepts all four
 * manifest types, and every fetched manifest is hashed from its exact bytes and checked
 * against what was asked for and what the registry claims (`Docker-Content-Digest`).
 */
import { digestOf, isDigest } from './digest.js';
import { RegistryError } from './errors.js';
import { resolveMediaType, type FetchedManifest } from './manifest.js';
import { MANIFEST_ACCEPT } from './media-types.js';
import type { Transport } from './transport/http.js';

export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

/** Why fetched bytes are not the manifest they should be. */
export type ManifestProblem =
  | { why: 'content'; expected: string; actual: string }
  | { why: 'header'; expected: string; actual: string }
  | { why: 'media-type'; expected: string; actual: string }
  | { why: 'invalid-manifest'; expected: string; actual: string };

export type ManifestFetch =
  | { kind: 'found'; manifest: FetchedManifest }
  | { kind: 'missing'; error: RegistryError }
  | { kind: 'invalid'; problem: ManifestProblem; digest: string };

const path = (repo: string, ref: string) => `/v2/${repo}/manifests/${ref}`;

/** GET a manifest and check it; a 404 and bad content are values, other failures throw. */
export async function fetchManifest(t: Transport, repo: string, ref: string): Promise<ManifestFetch> {
  const req = { method: 'GET', url: path(repo, ref), repository: repo, operation: `GET manifest ${ref}` } as const;
  const res = await t.request({ ...req, headers: { accept: MANIFEST_ACCEPT } });
  if (res.status === 404) return { kind: 'missing', error: await t.errorFor(res, req) };
  if (res.status !== 200) throw await t.errorFor(res, req);
  const bytes = Buffer.from(await res.arrayBuffer());
  const header = res.headers.get('docker-content-digest') ?? undefined;
  const digest = digestOf(bytes, isDigest(ref) ? ref : header);
  if (isDigest(ref) && digest !== ref)
    return { kind: 'invalid', digest, problem: { why: 'content', expected: ref, actual: digest } };
  if (header !== undefined && header !== digest)
    return { kind: 'invalid', digest, problem: { why: 'header', expected: header, actual: digest } };
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    return {
      kind: 'invalid',
      digest,
      problem: { why: 'invalid-manifest', expected: 'JSON', actual: (err as Error).message },
    };
  }
  const type = resolveMediaType(json, res.headers.get('content-type'));
  if ('mismatch' in type) {
    return {
      kind: 'invalid',
      digest,
      problem: { why: 'media-type', expected: type.mismatch.header, actual: type.mismatch.body },
    };
  }
  return { kind: 'found', manifest: { digest, mediaType: type.mediaType, bytes, json } };
}

const PROBLEM_TEXT: Record<ManifestProblem['why'], string> = {
  content: 'the bytes served for a digest hash to another digest',
  header: 'Docker-Content-Digest differs from the hash of the bytes',
  'media-type': 'Content-Type names another manifest type than the body',
  'invalid-manifest': 'the body is not a JSON manifest',
};

export function describeManifestProblem(p: ManifestProblem): string {
  return `${PROBLEM_TEXT[p.why]} (expected ${p.expected}, got ${p.actual})`;
}

/** @throws RegistryError when missing (`MANIFEST_UNKNOWN`) or the content does not check out */
export async function getManifest(t: Transport, repo: string, ref: string): Promise<FetchedManifest> {
  const got = await fetchManifest(t, repo, ref);
  if (got.kind === 'found') return got.manifest;
  if (got.kind === 'missing') throw got.error;
  const code =
    got.problem.why === 'media-type'
      ? 'MEDIA_TYPE_MISMATCH'
      : got.problem.why === 'invalid-manifest'
        ? 'MANIFEST_INVALID'
        : 'DIGEST_MISMATCH';
  throw new RegistryError({
    host: t.opts.host,
    repository: repo,
    operation: `GET manifest ${ref}`,
    code,
    reason: describeManifestProblem(got.problem),
  });
}

/** HEAD a manifest; `null` when it is not there. Falls back to GET when the digest header is absent. */
export async function headManifest(t: Transport, repo: string, ref: string): Promise<ManifestHead | null> {
  const req = { method: 'HEAD', url: path(repo, ref), repository: repo, operation: `HEAD manifest ${ref}` } as const;
  const res = await t.request({ ...req, headers: { accept: MANIFEST_ACCEPT } });
  if (res.status === 404) return null;
  if (res.status !== 200) throw await t.errorFor(res, req);
  const digest = res.headers.get('docker-content-digest');
  const mediaType = res.headers.get('content-type')?.split(';')[0]?.trim();
  if (!digest || !mediaType) {
    // Older registries leave the header out: hash the body, as `regctl manifest head --require-digest` does.
    const m = await getManifest(t, repo, ref);
    return { digest: m.digest, mediaType: m.mediaType, size: m.bytes.length };
  }
  return { digest, mediaType, size: Number(res.headers.get('content-length') ?? -1) };
}

/** PUT a manifest under a tag or digest; returns the digest of `bytes`. */
export async function putManifest(
  t: Transport,
  repo: string,
  ref: string,
  bytes: Uint8Array,
  mediaType: string,
): Promise<string> {
  const req = { method: 'PUT', url: path(repo, ref), repository: repo, operation: `PUT manifest ${ref}` } as const;
  const res = await t.request({ ...req, headers: { 'content-type': mediaType }, body: bytes });
  if (res.status !== 201) throw await t.errorFor(res, req);
  await res.body?.cancel();
  const digest = digestOf(bytes, isDigest(ref) ? ref : undefined);
  const header = res.headers.get('docker-content-digest');
  if (header && header !== digest) {
    throw new RegistryError({
      ...req,
      host: t.opts.host,
      code: 'DIGEST_MISMATCH',
      reason: `registry stored ${header}, but the bytes sent hash to ${digest}`,
    });
  }
  return digest;
}

/** DELETE a manifest by digest (the registry needs `storage.delete.enabled`). */
export async function deleteManifest(t: Transport, repo: string, digest: string): Promise<void> {
  const req = {
    method: 'DELETE',
    url: path(repo, digest),
    repository: repo,
    operation: `DELETE manifest ${digest}`,
  } as const;
  const res = await t.request(req);
  if (res.status !== 202) throw await t.errorFor(res, req);
  await res.body?.cancel();
}
