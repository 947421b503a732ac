/**
 * The verification walk (REFERENCE §1, what `crane validate` does): fetch the tag with every
 * Accept type, recompute its digest and compare it with the header and with the digest the
 * push reported; walk an index to every child (attestations too), recursively; HEAD every layer
 * of every image manifest in the target repository (layers with `urls` are foreign and skipped,
 * as distribution does) and compare sizes. An image's config is read (GET, not HEAD: kilobytes,
 * one request either way) and its bytes hashed, so the walk also yields each image's labels —
 * what the identity check compares, with no second fetch of what was just walked. All blob
 * requests go out together, deduplicated, bounded by the client's blob limiter.
 */
import type { LimitFunction } from 'p-limit';
import { readBlob } from './blob-get.js';
import { headBlob } from './blobs.js';
import { digestOf, isDigest } from './digest.js';
import { RegistryError } from './errors.js';
import { configLabels, describeChild, manifestContent, type Descriptor, type FetchedManifest } from './manifest.js';
import { fetchManifest } from './manifests.js';
import type { Transport } from './transport/http.js';
import { describeResult } from './verify-detail.js';
import type { MismatchReason, MissingBlob, VerifyResult } from './verify-result.js';

export interface VerifyOptions {
  /** The digest the push reported (`containerimage.digest`); a tag pointing elsewhere is stale. */
  expectedDigest?: string;
}

export interface VerifyContext {
  transport: Transport;
  /** Shared by every verify of one client, so HEADs in flight stay bounded overall. */
  blobLimit: LimitFunction;
}

/** Configs larger than this are only HEADed (no labels read): a real one is kilobytes. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** What a blob request found: absent (404), its size, and for a config read whole its bytes. */
type BlobSeen = { size: number; bytes?: Buffer } | null;

type Finding =
  | { type: 'mismatch'; manifest: string; expected: string; actual: string; why: MismatchReason }
  | { type: 'missing-manifest'; digest: string; parent: string; label: string }
  | { type: 'blob'; blob: MissingBlob };

class Walk {
  manifests = 0;
  readonly blobs = new Map<string, Promise<BlobSeen>>();
  /** `config.Labels` of each image walked (attestation manifests are not images). */
  readonly labels: Record<string, string>[] = [];

  constructor(
    private readonly ctx: VerifyContext,
    private readonly repo: string,
  ) {}

  /** Findings of `m` and everything under it, in manifest order; `attestation`: an index names it as one. */
  async manifest(m: FetchedManifest, attestation = false): Promise<Finding[]> {
    this.manifests++;
    let content;
    try {
      content = manifestContent(m.mediaType, m.json);
    } catch (err) {
      return [
        {
          type: 'mismatch',
          manifest: m.digest,
          expected: m.mediaType,
          actual: (err as Error).message,
          why: 'invalid-manifest',
        },
      ];
    }
    if (content.kind === 'index')
      return (await Promise.all(content.manifests.map((d) => this.child(d, m.digest)))).flat();
    if (content.kind === 'other') return [];
    const blobs = [
      this.config(content.config, m.digest, !attestation),
      ...content.layers.filter((l) => !l.urls?.length).map((l) => this.blob(l, 'layer', m.digest)),
    ];
    return (await Promise.all(blobs)).flat();
  }

  /** The config's findings; an image's config is read whole, hashed, and its labels kept. */
  private async config(d: Descriptor, manifest: string, image: boolean): Promise<Finding[]> {
    const found = await this.request(d, image && d.size <= MAX_CONFIG_BYTES);
    const wrong = sizeFindings(d, found, 'config', manifest);
    if (wrong.length || !found?.bytes) return wrong;
    const actual = digestOf(found.bytes, d.digest);
    if (actual !== d.digest) return [{ type: 'mismatch', manifest, expected: d.digest, actual, why: 'content' }];
    this.labels.push(configLabels(found.bytes));
    return [];
  }

  private async child(d: Descriptor, parent: string): Promise<Finding[]> {
    const got = await fetchManifest(this.ctx.transport, this.repo, d.digest);
    if (got.kind === 'missing')
      return [{ type: 'missing-manifest', digest: d.digest, parent, label: describeChild(d) }];
    if (got.kind === 'invalid') return [{ type: 'mismatch', manifest: d.digest, ...got.problem }];
    if (got.manifest.bytes.length !== d.size) {
      return [
        {
          type: 'mismatch',
          manifest: d.digest,
          expected: `${d.size} bytes`,
          actual: `${got.manifest.bytes.length} bytes`,
          why: 'size',
        },
      ];
    }
    return this.manifest(got.manifest, d.platform?.os === 'unknown');
  }

  private async blob(d: Descriptor, kind: MissingBlob['kind'], manifest: string): Promise<Finding[]> {
    return sizeFindings(d, await this.request(d, false), kind, manifest);
  }

  /** One request per distinct blob of the walk: a HEAD, or a GET where its bytes are wanted. */
  private request(d: Descriptor, read: boolean): Promise<BlobSeen> {
    let seen = this.blobs.get(d.digest);
    if (!seen) {
      const { transport } = this.ctx;
      seen = this.ctx.blobLimit(() =>
        read
          ? readBlob(transport, this.repo, d.digest).then((bytes) => bytes && { size: bytes.length, bytes })
          : headBlob(transport, this.repo, d.digest),
      );
      this.blobs.set(d.digest, seen);
    }
    return seen;
  }
}

/** A blob absent, or of another size than its descriptor says. */
function sizeFindings(d: Descriptor, found: BlobSeen, kind: MissingBlob['kind'], manifest: string): Finding[] {
  if (found === null)
    return [{ type: 'blob', blob: { digest: d.digest, kind, manifest, reason: 'absent', expectedSize: d.size } }];
  if (found.size === d.size) return [];
  const blob: MissingBlob = {
    digest: d.digest,
    kind,
    manifest,
    reason: 'size-mismatch',
    expectedSize: d.size,
    actualSize: found.size,
  };
  return [{ type: 'blob', blob }];
}

async function walk(
  ctx: VerifyContext,
  repo: string,
  ref: string,
  reference: string,
  opts: VerifyOptions,
): Promise<VerifyResult> {
  const root = await fetchManifest(ctx.transport, repo, ref);
  if (root.kind === 'missing') return describeResult({ status: 'missing-manifest', reference, missing: ref });
  if (root.kind === 'invalid') return describeResult({ status: 'digest-mismatch', reference, ...root.problem });
  const { digest, mediaType } = root.manifest;
  if (opts.expectedDigest !== undefined && opts.expectedDigest !== digest) {
    return describeResult({
      status: 'digest-mismatch',
      reference,
      expected: opts.expectedDigest,
      actual: digest,
      why: 'stale-tag',
    });
  }

  const w = new Walk(ctx, repo);
  const findings = await w.manifest(root.manifest);
  const mismatch = findings.find((f) => f.type === 'mismatch');
  if (mismatch) {
    const { type: _, ...rest } = mismatch;
    return describeResult({ status: 'digest-mismatch', reference, ...rest });
  }
  const missingManifest = findings.find((f) => f.type === 'missing-manifest');
  if (missingManifest) {
    const { digest: missing, parent, label } = missingManifest;
    return describeResult({ status: 'missing-manifest', reference, missing, parent }, label);
  }
  const missing = findings.flatMap((f) => (f.type === 'blob' ? [f.blob] : []));
  if (missing.length) return describeResult({ status: 'missing-blob', reference, digest, missing });
  return describeResult({
    status: 'verified',
    reference,
    digest,
    mediaType,
    manifests: w.manifests,
    blobs: w.blobs.size,
    labels: w.labels,
  });
}

/** Verify one image. Never throws for what the registry answers; only for invalid arguments. */
export async function verify(
  ctx: VerifyContext,
  repo: string,
  ref: string,
  opts: VerifyOptions = {},
): Promise<VerifyResult> {
  const reference = `${ctx.transport.opts.host}/${repo}${isDigest(ref) ? '@' : ':'}${ref}`;
  try {
    return await walk(ctx, repo, ref, reference, opts);
  } catch (err) {
    if (!(err instanceof RegistryError)) throw err;
    const status = err.status === 401 || err.status === 403 ? 'unauthorized' : 'unreachable';
    return describeResult({ status, reference, error: err });
  }
}
