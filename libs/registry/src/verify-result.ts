/**
 * The outcome of verifying one pushed image: a value, not an exception. The same value fills
 * the summary row and decides the exit code; every variant carries a one-line `detail` a
 * person can act on.
 */

export interface MissingBlob {
  digest: string;
  kind: 'config' | 'layer';
  /** Digest of the image manifest that names the blob. */
  manifest: string;
  /** `absent`: HEAD answered 404. `size-mismatch`: present with another `Content-Length` than the descriptor's `size`. */
  reason: 'absent' | 'size-mismatch';
  expectedSize: number;
  actualSize?: number;
}

/**
 * Why content is not what its reference promises.
 * - `stale-tag`: the tag points to another digest than the one pushed (`expectedDigest`);
 * - `content`: bytes served for a digest hash to something else;
 * - `header`: `Docker-Content-Digest` differs from the hash of the bytes;
 * - `size`: a child manifest's length differs from its descriptor's `size`;
 * - `media-type`: `Content-Type` and the body's `mediaType` name different manifest types;
 * - `invalid-manifest`: the bytes are not a manifest.
 */
export type MismatchReason = 'stale-tag' | 'content' | 'header' | 'size' | 'media-type' | 'invalid-manifest';

interface Common {
  /** `host/repository:tag` or `host/repository@digest`, as asked. */
  reference: string;
  detail: string;
}

export type VerifyResult =
  | (Common & {
      status: 'verified';
      digest: string;
      mediaType: string;
      /** Manifests walked, the root included (an index with two platforms and an attestation: 4). */
      manifests: number;
      /** Distinct blobs checked (configs and layers). */
      blobs: number;
      /** `config.Labels` of each image walked (an index's attestation manifests are not images). */
      labels: Record<string, string>[];
    })
  | (Common & {
      status: 'missing-manifest';
      /** The tag or digest that is not there. */
      missing: string;
      /** The index naming it, when it is a child. */
      parent?: string;
    })
  | (Common & { status: 'missing-blob'; digest: string; /** All of them, in manifest order. */ missing: MissingBlob[] })
  | (Common & {
      status: 'digest-mismatch';
      expected: string;
      actual: string;
      why: MismatchReason;
      /** The manifest concerned, when it is not the root. */
      manifest?: string;
    })
  | (Common & { status: 'unauthorized' })
  | (Common & { status: 'unreachable' });

export type VerifyStatus = VerifyResult['status'];
