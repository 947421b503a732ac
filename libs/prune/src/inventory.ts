/**
 * What one repository holds, asked through the registry API: every tag → digest, and per digest
 * its index children and its creation time. distribution keeps no tag dates, so content tags are
 * ordered by the image config's `created` (what the builder wrote; for an index, the newest of
 * its platform images, attestations left out). A date that cannot be read is `null`, which the
 * policy treats as newest: nothing is deleted on a guess.
 */
import { manifestContent, RegistryError, type RegistryClient } from '@imagefleet/registry';
import pLimit from 'p-limit';
import type { TaggedManifest } from './policy.js';

export interface Inventory {
  tags: Record<string, string>;
  manifests: Record<string, TaggedManifest & { mediaType: string }>;
}

const isAttestation = (annotations: Record<string, string> | undefined) =>
  annotations?.['vnd.docker.reference.type'] === 'attestation-manifest';

/** @throws RegistryError for anything but a repository that does not exist (an empty inventory). */
export async function readInventory(client: RegistryClient, repo: string, limit = pLimit(8)): Promise<Inventory> {
  let tagList: string[];
  try {
    tagList = await client.listTags(repo);
  } catch (error) {
    if (error instanceof RegistryError && error.code === 'NAME_UNKNOWN') return { tags: {}, manifests: {} };
    throw error;
  }
  const tags: Record<string, string> = {};
  await Promise.all(
    tagList.map((tag) =>
      limit(async () => {
        const head = await client.headManifest(repo, tag);
        if (head) tags[tag] = head.digest; // gone meanwhile: nothing to decide
      }),
    ),
  );
  const manifests: Inventory['manifests'] = {};
  await Promise.all(
    [...new Set(Object.values(tags))].map((digest) =>
      limit(async () => (manifests[digest] = await describe(client, repo, digest))),
    ),
  );
  return { tags, manifests };
}

async function describe(
  client: RegistryClient,
  repo: string,
  digest: string,
): Promise<TaggedManifest & { mediaType: string }> {
  const m = await client.getManifest(repo, digest);
  const content = manifestContent(m.mediaType, m.json);
  if (content.kind === 'image')
    return { mediaType: m.mediaType, children: [], created: await createdOf(client, repo, content.config.digest) };
  if (content.kind !== 'index') return { mediaType: m.mediaType, children: [], created: null };
  const images = content.manifests.filter((c) => !isAttestation(c.annotations));
  const dates = await Promise.all(
    images.map(async (child) => {
      try {
        const cm = await client.getManifest(repo, child.digest);
        const cc = manifestContent(cm.mediaType, cm.json);
        return cc.kind === 'image' ? await createdOf(client, repo, cc.config.digest) : null;
      } catch {
        return null;
      }
    }),
  );
  // One unknown child date makes the whole index unknown (kept), rather than dated by the others.
  const created = dates.length && dates.every((x) => x !== null) ? dates.sort().at(-1)! : null;
  return { mediaType: m.mediaType, children: content.manifests.map((c) => c.digest), created };
}

async function createdOf(client: RegistryClient, repo: string, configDigest: string): Promise<string | null> {
  try {
    const config = JSON.parse((await client.getBlob(repo, configDigest)).toString('utf8')) as { created?: unknown };
    return typeof config.created === 'string' && !Number.isNaN(Date.parse(config.created))
      ? new Date(config.created).toISOString()
      : null;
  } catch {
    return null;
  }
}
