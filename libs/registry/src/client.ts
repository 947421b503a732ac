/**
 * The registry client: a small front over reference checks, the transport (scheme, auth,
 * retry) and the endpoint modules. Options are normalised once here; arguments are checked at
 * the door, so a bad repository name fails with its own message instead of a registry 400.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import pLimit from 'p-limit';
import { systemClock, type Clock } from '@imagefleet/process';
import { getBlob } from './blob-get.js';
import { headBlob, uploadBlob } from './blobs.js';
import { digestProblem } from './digest.js';
import type { FetchedManifest } from './manifest.js';
import { deleteManifest, getManifest, headManifest, putManifest, type ManifestHead } from './manifests.js';
import { ping, type PingResult } from './ping.js';
import { registryHostProblem, repositoryProblem, tagProblem } from './reference.js';
import { listRepositories, listTags, type ListTagsOptions } from './lists.js';
import { Authenticator } from './transport/auth.js';
import { resolveCredentials, type CredentialLookup } from './transport/credentials.js';
import type { HostCircuit } from './transport/circuit.js';
import { Transport, type HostTls } from './transport/http.js';
import { DEFAULT_RETRY, type RetryPolicy } from './transport/retry.js';
import { schemeFor, type Scheme } from './transport/scheme.js';
import { verify, type VerifyOptions } from './verify.js';
import type { VerifyResult } from './verify-result.js';

export interface RegistryClientOptions {
  /** `host[:port]`, as in image references. @example 'localhost:5001' */
  host: string;
  /** Plain HTTP to a non-loopback host. Loopback hosts (localhost, 127.0.0.0/8, [::1]) always get HTTP. @default false */
  insecure?: boolean;
  /** Force a scheme regardless of `insecure` and loopback (tests; registries behind odd proxies). */
  scheme?: Scheme;
  /** Explicit credentials; otherwise the environment and the docker config are searched (credentials.ts). */
  credentials?: { username: string; password: string };
  /** Directory of the docker `config.json`. @default $DOCKER_CONFIG, else ~/.docker */
  dockerConfigDir?: string;
  /** Names of environment variables with this host's user and password, looked at before the rest (credentials.ts). */
  credentialsEnv?: { username: string; password: string };
  /**
   * PEM file of the CA that signed this host's certificate, trusted in addition to the system's
   * CAs. An unreadable file fails every HTTPS request with the reason. @example '/etc/ssl/pull-registry-ca.pem'
   */
  caFile?: string;
  /** Environment for credential lookup and credential helpers. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Blob HEADs in flight at once, across all verifies of this client. @default 16 */
  blobConcurrency?: number;
  /** Per request attempt, body included. @default 30000 */
  timeoutMs?: number;
  /** For the TCP connection of a request. @default 5000 */
  connectTimeoutMs?: number;
  /** From a request sent to its response headers. @default 10000 */
  headersTimeoutMs?: number;
  /**
   * This run's dead-host circuit (`createHostCircuit()`), shared by every client of the run: once
   * a registry did not answer, later requests to it fail at once with the same reason.
   */
  circuit?: HostCircuit;
  /** @default DEFAULT_RETRY (3 retries, 100 ms doubling, ≤ 2 s) */
  retry?: Partial<RetryPolicy>;
  /** What backoff, timeouts and token expiry go by. @default systemClock */
  clock?: Clock;
}

export interface RegistryClient {
  readonly host: string;
  readonly scheme: Scheme;
  ping(): Promise<PingResult>;
  /** `null` when the manifest is not there. */
  headManifest(repo: string, ref: string): Promise<ManifestHead | null>;
  /** @throws RegistryError (`MANIFEST_UNKNOWN`, `DIGEST_MISMATCH`, `MEDIA_TYPE_MISMATCH`, …) */
  getManifest(repo: string, ref: string): Promise<FetchedManifest>;
  /** @returns the digest of `bytes` */
  putManifest(repo: string, ref: string, bytes: Uint8Array, mediaType: string): Promise<string>;
  deleteManifest(repo: string, digest: string): Promise<void>;
  /** `null` when the repository does not have the blob. */
  headBlob(repo: string, digest: string): Promise<{ size: number } | null>;
  /**
   * A small blob's bytes (an image config), checked against `digest`. Not for layers.
   * @throws RegistryError (`BLOB_UNKNOWN`, `BLOB_TOO_LARGE`, `DIGEST_MISMATCH`)
   */
  getBlob(repo: string, digest: string): Promise<Buffer>;
  /** @returns the digest of `bytes` */
  uploadBlob(repo: string, bytes: Uint8Array): Promise<string>;
  listTags(repo: string, opts?: ListTagsOptions): Promise<string[]>;
  /** `GET /v2/_catalog`, every page: the registry's repositories. */
  listRepositories(): Promise<string[]>;
  verify(repo: string, ref: string, opts?: VerifyOptions): Promise<VerifyResult>;
}

const USER_AGENT = 'imagefleet-registry/0.1';

function check(problem: string | undefined): void {
  if (problem) throw new TypeError(problem);
}

/**
 * The host's CA next to the system's (Node's `ca` option replaces the default store, and a blob
 * redirect may go to storage with a public certificate), and a keep-alive agent of its own.
 */
function hostTls(host: string, caFile: string): HostTls {
  try {
    const ca = [...rootCertificates, readFileSync(caFile, 'utf8')];
    return { caFile, ca, agent: new https.Agent({ keepAlive: true, maxSockets: 16, ca }) };
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return {
      caFile,
      problem: `the CA file ${caFile} cannot be read (${why}): fix registry.hosts.${host}.caFile in services.manifest.yaml`,
    };
  }
}

function checkRef(ref: string): void {
  check(ref.includes(':') ? digestProblem(ref) : tagProblem(ref));
}

export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  check(registryHostProblem(options.host));
  const { host, credentials } = options;
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const scheme = schemeFor(host, options.insecure ?? false, options.scheme);

  const lookupCredentials = async (): Promise<CredentialLookup> =>
    credentials
      ? { credentials: { ...credentials, source: 'the client options' }, searched: ['client options'] }
      : resolveCredentials(host, {
          env,
          ...(options.dockerConfigDir !== undefined && { dockerConfigDir: options.dockerConfigDir }),
          ...(options.credentialsEnv !== undefined && { credentialsEnv: options.credentialsEnv }),
        });
  const tls = options.caFile !== undefined ? hostTls(host, options.caFile) : undefined;
  const clock = options.clock ?? systemClock;
  const auth = new Authenticator({ host, lookupCredentials, timeoutMs, clock, ...(tls && 'agent' in tls && { tls }) });
  const t = new Transport({
    host,
    scheme,
    auth,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    timeoutMs,
    ...(options.connectTimeoutMs !== undefined && { connectTimeoutMs: options.connectTimeoutMs }),
    ...(options.headersTimeoutMs !== undefined && { headersTimeoutMs: options.headersTimeoutMs }),
    ...(options.circuit !== undefined && { circuit: options.circuit }),
    ...(tls && { tls }),
    userAgent: USER_AGENT,
    clock,
  });
  const blobLimit = pLimit(options.blobConcurrency ?? 16);

  const repoRef = (repo: string, ref: string) => {
    check(repositoryProblem(repo));
    checkRef(ref);
  };
  const repoDigest = (repo: string, digest: string) => {
    check(repositoryProblem(repo));
    check(digestProblem(digest));
  };

  return {
    host,
    scheme,
    ping: () => ping(t),
    headManifest: async (repo, ref) => (repoRef(repo, ref), headManifest(t, repo, ref)),
    getManifest: async (repo, ref) => (repoRef(repo, ref), getManifest(t, repo, ref)),
    putManifest: async (repo, ref, bytes, mediaType) => (
      repoRef(repo, ref),
      putManifest(t, repo, ref, bytes, mediaType)
    ),
    deleteManifest: async (repo, digest) => (repoDigest(repo, digest), deleteManifest(t, repo, digest)),
    headBlob: async (repo, digest) => (repoDigest(repo, digest), headBlob(t, repo, digest)),
    getBlob: async (repo, digest) => (repoDigest(repo, digest), getBlob(t, repo, digest)),
    uploadBlob: async (repo, bytes) => (check(repositoryProblem(repo)), uploadBlob(t, repo, bytes)),
    listTags: async (repo, opts) => (check(repositoryProblem(repo)), listTags(t, repo, opts)),
    listRepositories: () => listRepositories(t),
    verify: async (repo, ref, opts) => {
      repoRef(repo, ref);
      if (opts?.expectedDigest !== undefined) check(digestProblem(opts.expectedDigest));
      return verify({ transport: t, blobLimit }, repo, ref, opts);
    },
  };
}
