/**
 * The labels an image carries in its config (`config.Labels`), read through the registry: what
 * the identity check compares with the revision a push was built from. For an index, each image
 * it names (attestation manifests, platform `unknown/unknown`, are not images).
 */
import type { RegistryClient } from './client.js';
import { manifestContent } from './manifest.js';

export async function readImageLabels(
  client: RegistryClient,
  repo: string,
  digest: string,
): Promise<Record<string, string>[]> {
  const m = await client.getManifest(repo, digest);
  const content = manifestContent(m.mediaType, m.json);
  if (content.kind === 'image') return [await configLabels(client, repo, content.config.digest)];
  if (content.kind !== 'index') return [];
  const images = content.manifests.filter((c) => c.platform?.os !== 'unknown');
  return (await Promise.all(images.map((child) => readImageLabels(client, repo, child.digest)))).flat();
}

async function configLabels(
  client: RegistryClient,
  repo: string,
  configDigest: string,
): Promise<Record<string, string>> {
  const config = JSON.parse((await client.getBlob(repo, configDigest)).toString('utf8')) as {
    config?: { Labels?: Record<string, string> | null };
  };
  return config.config?.Labels ?? {};
}
