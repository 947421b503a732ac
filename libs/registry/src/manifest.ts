/**
 * Manifest documents: the exact bytes, their digest, and the descriptors they point to.
 * Only what the verification walk needs is read; everything else in the JSON is kept as is.
 */
import { bareMediaType, isIndex, isManifestMediaType, OCI_INDEX, OCI_MANIFEST } from './media-types.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  /** Foreign / non-distributable layers: fetched from these URLs, not from the registry. */
  urls?: string[];
  platform?: Platform;
  annotations?: Record<string, string>;
}

/** A manifest as fetched: `digest` is recomputed from `bytes`, never taken on trust. */
export interface FetchedManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  json: unknown;
}

/** What a manifest points to. */
export type ManifestContent =
  | { kind: 'index'; manifests: Descriptor[] }
  | { kind: 'image'; config: Descriptor; layers: Descriptor[] }
  | { kind: 'other' };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function toDescriptor(value: unknown, where: string): Descriptor {
  if (!isRecord(value) || typeof value.digest !== 'string' || typeof value.size !== 'number') {
    throw new TypeError(`${where} is not a descriptor with "digest" and "size"`);
  }
  return value as unknown as Descriptor;
}

/** The `mediaType` the body declares, if any (OCI allows leaving it out). */
export function declaredMediaType(json: unknown): string | undefined {
  return isRecord(json) && typeof json.mediaType === 'string' ? json.mediaType : undefined;
}

/**
 * The media type of a fetched manifest: the body's own, else `Content-Type`, else by shape.
 * @returns `mismatch` when the header names a manifest type other than the body's (REFERENCE §1: reject it).
 */
export function resolveMediaType(
  json: unknown,
  contentType: string | null,
): { mediaType: string } | { mismatch: { header: string; body: string } } {
  const header = bareMediaType(contentType);
  const body = declaredMediaType(json);
  // A generic header (application/json) says nothing; two different manifest types contradict.
  if (body !== undefined && header !== undefined && isManifestMediaType(header) && bareMediaType(body) !== header) {
    return { mismatch: { header, body } };
  }
  const shape = isRecord(json) && Array.isArray(json.manifests) ? OCI_INDEX : OCI_MANIFEST;
  return { mediaType: body ?? (header !== undefined && isManifestMediaType(header) ? header : shape) };
}

/** The descriptors a manifest names. @throws TypeError when the JSON is not a manifest of its type */
export function manifestContent(mediaType: string, json: unknown): ManifestContent {
  if (!isRecord(json)) throw new TypeError('manifest is not a JSON object');
  if (isIndex(mediaType) || Array.isArray(json.manifests)) {
    if (!Array.isArray(json.manifests)) throw new TypeError('index has no "manifests" array');
    return { kind: 'index', manifests: json.manifests.map((d, i) => toDescriptor(d, `manifests[${i}]`)) };
  }
  if (json.config === undefined && json.layers === undefined) return { kind: 'other' };
  const layers = json.layers ?? [];
  if (!Array.isArray(layers)) throw new TypeError('"layers" is not an array');
  return {
    kind: 'image',
    config: toDescriptor(json.config, 'config'),
    layers: layers.map((d, i) => toDescriptor(d, `layers[${i}]`)),
  };
}

/** Human label for an index child, e.g. `linux/arm64/v8` or `attestation for sha256:…`. */
export function describeChild(d: Descriptor): string {
  const a = d.annotations ?? {};
  if (a['vnd.docker.reference.type'] === 'attestation-manifest') {
    return `attestation for ${a['vnd.docker.reference.digest'] ?? 'unknown'}`;
  }
  const p = d.platform;
  return p ? [p.os, p.architecture, p.variant].filter(Boolean).join('/') : d.mediaType;
}

/** An image config's `config.Labels` (none, or not JSON: no labels). */
export function configLabels(bytes: Uint8Array): Record<string, string> {
  try {
    const config = JSON.parse(Buffer.from(bytes).toString('utf8')) as {
      config?: { Labels?: Record<string, string> | null };
    };
    return config.config?.Labels ?? {};
  } catch {
    return {};
  }
}
