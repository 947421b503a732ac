/**
 * Content digests (opencontainers/image-spec descriptor.md). A manifest's digest is the hash of
 * the exact bytes the registry holds: hash the response body as received, never a re-serialised
 * `JSON.stringify(JSON.parse(…))`.
 */
import { createHash } from 'node:crypto';

/** The general grammar of distribution/reference: `algorithm:hex`, at least 32 hex digits. */
export const DIGEST_PATTERN = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

/** Registered algorithms and the exact form of their encoded part (lowercase hex only). */
const ALGORITHMS: Record<string, { node: string; encoded: RegExp }> = {
  sha256: { node: 'sha256', encoded: /^[a-f0-9]{64}$/ },
  sha384: { node: 'sha384', encoded: /^[a-f0-9]{96}$/ },
  sha512: { node: 'sha512', encoded: /^[a-f0-9]{128}$/ },
};

/** `sha256:<hex>` of exactly these bytes. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Why `value` is not a usable digest, or `undefined` when it is one.
 * @example digestProblem('sha256:ABC') // 'sha256 digest must be 64 lowercase hex characters: "sha256:ABC"'
 */
export function digestProblem(value: string): string | undefined {
  if (!DIGEST_PATTERN.test(value)) return `digest must look like "sha256:<64 hex>": ${JSON.stringify(value)}`;
  const [algorithm = '', encoded = ''] = value.split(':');
  const known = ALGORITHMS[algorithm];
  if (!known)
    return `digest algorithm ${JSON.stringify(algorithm)} is not supported (sha256, sha384, sha512): ${JSON.stringify(value)}`;
  if (!known.encoded.test(encoded)) {
    const hexLength = known.encoded.source.match(/\{(\d+)\}/)?.[1];
    return `${algorithm} digest must be ${hexLength} lowercase hex characters: ${JSON.stringify(value)}`;
  }
  return undefined;
}

export function isDigest(value: string): boolean {
  return digestProblem(value) === undefined;
}

/** @throws TypeError naming the bad value */
export function assertDigest(value: string): void {
  const problem = digestProblem(value);
  if (problem) throw new TypeError(problem);
}

/** Hash `bytes` with the algorithm `digest` names, so the two can be compared. */
export function digestOf(bytes: Uint8Array, algorithmOf: string = 'sha256:'): string {
  const algorithm = algorithmOf.split(':')[0] ?? 'sha256';
  const known = ALGORITHMS[algorithm] ?? ALGORITHMS.sha256!;
  return `${known.node}:${createHash(known.node).update(bytes).digest('hex')}`;
}
