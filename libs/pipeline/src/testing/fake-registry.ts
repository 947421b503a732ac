/**
 * An in-memory registry behind the RegistryClient interface: repositories → tags → digests, and
 * the manifest bytes under each digest. Images land either through the API (`putManifest`, as
 * the pipeline retags) or from a fake `docker push` (fake-builder.ts), which the registry takes
 * in once the push's child process says it is done. Knobs: a failing ping, repositories whose
 * verification finds a blob missing; every request is logged for counting.
 */
import { existsSync } from 'node:fs';
import {
  configLabels,
  OCI_MANIFEST,
  RegistryError,
  sha256Digest,
  type FetchedManifest,
  type ManifestHead,
  type PingResult,
  type RegistryClient,
  type VerifyOptions,
  type VerifyResult,
} from '@imagefleet/registry';
import type { RunRegistry } from '../service/registry.js';

export interface FakeRequest {
  op:
    | 'ping'
    | 'headManifest'
    | 'getManifest'
    | 'putManifest'
    | 'deleteManifest'
    | 'headBlob'
    | 'getBlob'
    | 'uploadBlob'
    | 'listTags'
    | 'listRepositories'
    | 'verify';
  repo: string;
  ref: string;
}

interface StoredManifest {
  bytes: Buffer;
  mediaType: string;
}

interface Repository {
  tags: Map<string, string>;
  manifests: Map<string, StoredManifest>;
}

/** A push the fake builder announced: it lands when its process has written `marker`. */
export interface PendingPush {
  repo: string;
  tag: string;
  digest: string;
  bytes: Buffer;
  marker: string;
}

export interface FakeRegistry extends RegistryClient {
  /** When set, `ping` answers `unreachable` with this detail. */
  pingFailure: string | null;
  /** Repositories whose `verify` reports a missing layer. */
  readonly incomplete: Set<string>;
  /** Blob bytes by digest (image configs the fake builder pushed); any other blob is unknown. */
  readonly blobs: Map<string, Buffer>;
  readonly requests: FakeRequest[];
  /** Requests of one kind (and repository). */
  count(op: FakeRequest['op'], repo?: string): number;
  /** Tags of a repository → digest, as the registry has them now. */
  tagsOf(repo: string): Record<string, string>;
  /** Store an image under `tag`; returns its digest. */
  addImage(repo: string, tag: string, bytes: Buffer, mediaType?: string): string;
  expectPush(push: PendingPush): void;
  /** `{ push: this, reference: () => ({ status: 'same' }), client: () => this }`: what RunOptions.registry takes. */
  asRun(): RunRegistry;
}

export function createFakeRegistry(host = 'localhost:5001'): FakeRegistry {
  const repos = new Map<string, Repository>();
  const pending: PendingPush[] = [];
  const requests: FakeRequest[] = [];

  const repoOf = (name: string): Repository => {
    let repo = repos.get(name);
    if (!repo) repos.set(name, (repo = { tags: new Map(), manifests: new Map() }));
    return repo;
  };
  const store = (name: string, ref: string, bytes: Buffer, mediaType: string): string => {
    const digest = sha256Digest(bytes);
    const repo = repoOf(name);
    repo.manifests.set(digest, { bytes, mediaType });
    if (!ref.startsWith('sha256:')) repo.tags.set(ref, digest);
    return digest;
  };
  /** Take in every announced push whose process finished. */
  const land = () => {
    for (const push of [...pending]) {
      if (!existsSync(push.marker)) continue;
      pending.splice(pending.indexOf(push), 1);
      const repository = repoOf(push.repo);
      repository.manifests.set(push.digest, { bytes: push.bytes, mediaType: OCI_MANIFEST });
      repository.tags.set(push.tag, push.digest);
    }
  };
  const request = (op: FakeRequest['op'], repo = '', ref = '') => {
    land();
    requests.push({ op, repo, ref });
  };
  const resolve = (name: string, ref: string): { digest: string; manifest: StoredManifest } | null => {
    const repo = repos.get(name);
    const digest = ref.startsWith('sha256:') ? ref : repo?.tags.get(ref);
    const manifest = digest ? repo?.manifests.get(digest) : undefined;
    return digest && manifest ? { digest, manifest } : null;
  };

  /** What the real walk reads from an image's config: its labels, where the fake keeps the config's bytes. */
  const labelsOf = (manifest: StoredManifest): Record<string, string>[] => {
    const { config } = JSON.parse(manifest.bytes.toString('utf8')) as { config?: { digest?: string } };
    const bytes = config?.digest ? registry.blobs.get(config.digest) : undefined;
    return bytes ? [configLabels(bytes)] : [];
  };

  const registry: FakeRegistry = {
    host,
    scheme: 'http',
    pingFailure: null,
    incomplete: new Set(),
    blobs: new Map(),
    requests,
    count: (op, repo) => requests.filter((r) => r.op === op && (repo === undefined || r.repo === repo)).length,
    tagsOf: (name) => (land(), Object.fromEntries(repos.get(name)?.tags ?? [])),
    addImage: (name, tag, bytes, mediaType = OCI_MANIFEST) => store(name, tag, bytes, mediaType),
    expectPush: (push) => void pending.push(push),
    asRun: () => ({
      push: registry,
      reference: async () => ({ status: 'same' }),
      client: () => registry,
      pushAuth: async () => null,
    }),

    async ping(): Promise<PingResult> {
      request('ping');
      if (registry.pingFailure !== null) return { status: 'unreachable', detail: registry.pingFailure };
      return { status: 'ok', scheme: 'http', auth: 'anonymous' };
    },
    async headManifest(name, ref): Promise<ManifestHead | null> {
      request('headManifest', name, ref);
      const found = resolve(name, ref);
      return found
        ? { digest: found.digest, mediaType: found.manifest.mediaType, size: found.manifest.bytes.length }
        : null;
    },
    async getManifest(name, ref): Promise<FetchedManifest> {
      request('getManifest', name, ref);
      const found = resolve(name, ref);
      if (!found) throw new Error(`MANIFEST_UNKNOWN: ${host}/${name}:${ref}`);
      return {
        digest: found.digest,
        mediaType: found.manifest.mediaType,
        bytes: found.manifest.bytes,
        json: JSON.parse(found.manifest.bytes.toString('utf8')) as unknown,
      };
    },
    async putManifest(name, ref, bytes, mediaType) {
      request('putManifest', name, ref);
      return store(name, ref, Buffer.from(bytes), mediaType);
    },
    async deleteManifest(name, digest) {
      request('deleteManifest', name, digest);
      const repo = repos.get(name);
      repo?.manifests.delete(digest);
      for (const [tag, d] of repo?.tags ?? []) if (d === digest) repo!.tags.delete(tag);
    },
    async headBlob(name, digest) {
      request('headBlob', name, digest);
      return registry.incomplete.has(name) ? null : { size: 1 };
    },
    async getBlob(name, digest) {
      request('getBlob', name, digest);
      const bytes = registry.blobs.get(digest);
      if (bytes) return bytes;
      // Nothing else is kept: a blob asked for is unknown, as in a registry that lost it.
      throw new RegistryError({
        host,
        repository: name,
        operation: `GET blob ${digest}`,
        status: 404,
        code: 'BLOB_UNKNOWN',
        reason: 'the fake registry stores no blob bytes',
      });
    },
    async uploadBlob(name, bytes) {
      request('uploadBlob', name);
      return sha256Digest(bytes);
    },
    async listTags(name) {
      request('listTags', name);
      return [...(repos.get(name)?.tags.keys() ?? [])].sort();
    },
    async listRepositories() {
      request('listRepositories', '');
      return [...repos.keys()].sort();
    },
    async verify(name, ref, opts: VerifyOptions = {}): Promise<VerifyResult> {
      request('verify', name, ref);
      const reference = `${host}/${name}${ref.startsWith('sha256:') ? '@' : ':'}${ref}`;
      const found = resolve(name, ref);
      if (!found)
        return { status: 'missing-manifest', reference, missing: ref, detail: `${reference}: manifest unknown` };
      const { digest } = found;
      if (opts.expectedDigest && opts.expectedDigest !== digest) {
        return {
          status: 'digest-mismatch',
          reference,
          expected: opts.expectedDigest,
          actual: digest,
          why: 'stale-tag',
          detail: `${reference} points to ${digest}, not ${opts.expectedDigest}`,
        };
      }
      if (registry.incomplete.has(name)) {
        const layer = sha256Digest(Buffer.from(`layer of ${digest}`));
        return {
          status: 'missing-blob',
          reference,
          digest,
          missing: [{ digest: layer, kind: 'layer', manifest: digest, reason: 'absent', expectedSize: 1234 }],
          detail: `${reference}: layer ${layer} is missing: push again`,
        };
      }
      return {
        status: 'verified',
        reference,
        digest,
        mediaType: found.manifest.mediaType,
        manifests: 1,
        blobs: 2,
        labels: labelsOf(found.manifest),
        detail: `${reference}: 1 manifest(s), 2 blob(s)`,
      };
    },
  };
  return registry;
}
