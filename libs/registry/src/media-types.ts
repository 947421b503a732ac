/**
 * Media types (google/go-containerregistry pkg/v1/types/types.go; distribution manifest-v2-2.md).
 * A manifest request must accept all four manifest types: without the OCI ones distribution
 * answers a false 404, and without the Docker list type it rewrites a list to its amd64 child.
 */

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

/** Every manifest type, index types first. */
export const MANIFEST_MEDIA_TYPES = [OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST] as const;
export type ManifestMediaType = (typeof MANIFEST_MEDIA_TYPES)[number];

/** The `Accept` header for every manifest request, joined exactly as REFERENCE §1 gives it. */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const CONFIG_MEDIA_TYPES = [DOCKER_CONFIG, OCI_CONFIG] as const;

export const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
export const DOCKER_FOREIGN_LAYER = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const OCI_LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
export const LAYER_MEDIA_TYPES = [
  DOCKER_LAYER,
  DOCKER_FOREIGN_LAYER,
  OCI_LAYER,
  OCI_LAYER_GZIP,
  OCI_LAYER_ZSTD,
] as const;

/** `Content-Type` without parameters (`; charset=…`), lowercased. */
export function bareMediaType(contentType: string | null | undefined): string | undefined {
  const bare = contentType?.split(';')[0]?.trim().toLowerCase();
  return bare ? bare : undefined;
}

export function isManifestMediaType(mediaType: string): mediaType is ManifestMediaType {
  return (MANIFEST_MEDIA_TYPES as readonly string[]).includes(bareMediaType(mediaType) ?? '');
}

/** An OCI index or a Docker manifest list: its children are manifests, not blobs. */
export function isIndex(mediaType: string): boolean {
  const bare = bareMediaType(mediaType);
  return bare === OCI_INDEX || bare === DOCKER_MANIFEST_LIST;
}
