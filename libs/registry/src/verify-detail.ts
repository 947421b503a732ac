/**
 * The one-line `detail` of each verify outcome: what is wrong, where, and what to do about it.
 * Kept apart from the walk so the wording can be read (and changed) in one place.
 */
import type { RegistryError } from './errors.js';
import type { MissingBlob, VerifyResult } from './verify-result.js';

type WithoutDetail<T> = T extends unknown ? Omit<T, 'detail'> : never;

export type ResultDraft =
  | WithoutDetail<Exclude<VerifyResult, { status: 'unauthorized' | 'unreachable' }>>
  | { status: 'unauthorized' | 'unreachable'; reference: string; error: RegistryError };

const PUSH_AGAIN = 'push the image again';
const MAX_LISTED = 3;

function blobText(b: MissingBlob): string {
  const what = `${b.kind} ${b.digest} of manifest ${b.manifest}`;
  return b.reason === 'absent' ? what : `${what} (${b.actualSize} bytes, the manifest says ${b.expectedSize})`;
}

function mismatchText(d: Extract<ResultDraft, { status: 'digest-mismatch' }>): string {
  const of = d.manifest ? ` (manifest ${d.manifest})` : '';
  switch (d.why) {
    case 'stale-tag':
      return `${d.reference} points to ${d.actual}, not to the pushed ${d.expected}: the tag is stale (the push did not move it, or a later push did); ${PUSH_AGAIN}`;
    case 'content':
      return `${d.reference}: the bytes served for ${d.expected} hash to ${d.actual}${of}: the registry's storage or a proxy altered them`;
    case 'header':
      return `${d.reference}: Docker-Content-Digest says ${d.expected} but the bytes hash to ${d.actual}${of}: a proxy or the registry altered the manifest`;
    case 'size':
      return `${d.reference}: manifest ${d.manifest} is ${d.actual} long but its index says ${d.expected}`;
    case 'media-type':
      return `${d.reference}: Content-Type is ${d.expected} but the manifest declares ${d.actual}${of}: the registry or a proxy serves the wrong type`;
    case 'invalid-manifest':
      return `${d.reference}: ${d.manifest ?? 'the manifest'} is not a valid ${d.expected} manifest (${d.actual})`;
  }
}

/** Fill in `detail`. @param label names an index child (`linux/arm64`, `attestation for …`) */
export function describeResult(draft: ResultDraft, label?: string): VerifyResult {
  switch (draft.status) {
    case 'verified':
      return {
        ...draft,
        detail: `${draft.reference}: verified ${draft.digest} (${draft.manifests} manifest(s), ${draft.blobs} blob(s))`,
      };
    case 'missing-manifest':
      return {
        ...draft,
        detail: draft.parent
          ? `${draft.reference}: index ${draft.parent} names the ${label ?? 'child'} manifest ${draft.missing}, which the registry does not have; ${PUSH_AGAIN}`
          : `${draft.reference}: the registry has no manifest for ${draft.missing} (MANIFEST_UNKNOWN): the push did not finish or the tag was deleted; ${PUSH_AGAIN}`,
      };
    case 'missing-blob': {
      const listed = draft.missing.slice(0, MAX_LISTED).map(blobText).join('; ');
      const more = draft.missing.length > MAX_LISTED ? `; and ${draft.missing.length - MAX_LISTED} more` : '';
      return {
        ...draft,
        detail: `${draft.reference}: ${draft.missing.length} blob(s) missing or wrong in the repository: ${listed}${more}; ${PUSH_AGAIN} (blobs go missing through garbage collection or damaged storage)`,
      };
    }
    case 'digest-mismatch':
      return { ...draft, detail: mismatchText(draft) };
    case 'unauthorized':
    case 'unreachable':
      return { status: draft.status, reference: draft.reference, detail: draft.error.message };
  }
}
