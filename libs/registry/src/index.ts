/**
 * @imagefleet/registry — talk to an OCI / Docker registry and check that a push really finished.
 * Shaped like regclient: reference · media types · manifest + digest · transport (scheme, auth,
 * credentials, retry) · errors · a small client front with `verify`.
 */
export {
  parseReference,
  formatReference,
  InvalidReferenceError,
  registryHostProblem,
  repositoryProblem,
  tagProblem,
} from './reference.js';
export type { ImageReference } from './reference.js';
export * from './media-types.js';
export { sha256Digest, digestOf, digestProblem, isDigest, assertDigest, DIGEST_PATTERN } from './digest.js';
export { manifestContent, describeChild, configLabels } from './manifest.js';
export type { Descriptor, Platform, FetchedManifest, ManifestContent } from './manifest.js';
export { RegistryError, redact } from './errors.js';
export type { ManifestHead } from './manifests.js';
export type { PingResult } from './ping.js';
export type { ListTagsOptions } from './lists.js';
export { createRegistryClient } from './client.js';
export type { RegistryClient, RegistryClientOptions } from './client.js';
export type { VerifyOptions } from './verify.js';
export type { VerifyResult, VerifyStatus, MissingBlob, MismatchReason } from './verify-result.js';
export { verifyImages } from './verify-many.js';
export type { VerifyItem, VerifyImagesOptions } from './verify-many.js';
export { schemeFor, isLoopbackHost } from './transport/scheme.js';
export { isLocalhostName, lookupHost, resolveHost } from './transport/resolve.js';
export type { Scheme } from './transport/scheme.js';
export { resolveCredentials } from './transport/credentials.js';
export type { Credentials, CredentialLookup } from './transport/credentials.js';
export { DEFAULT_RETRY } from './transport/retry.js';
export { HostCircuit, createHostCircuit } from './transport/circuit.js';
export { NoAnswerError, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_HEADERS_TIMEOUT_MS } from './transport/send.js';
export type { RetryPolicy } from './transport/retry.js';
export type { NetworkFailure, NetworkFailureKind } from './transport/network.js';
