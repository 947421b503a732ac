/**
 * Whether distribution's `garbage-collect --delete-untagged` is safe, decided from the registry's
 * own storage (we run the GC on this machine, so we can read it): that flag deletes EVERY manifest
 * no tag points to, in every repository — index children included (distribution 2.8 does not spare
 * the platform images and attestations a tagged index names: distribution/distribution#3004, #3178) and
 * pinned digests whose tags moved on. So it is on only when every untagged manifest in the whole
 * registry is one this prune examined and would not keep; otherwise GC runs without it, which
 * removes only the blobs of deleted manifests (and is always safe).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface RepositoryManifests {
  /** Manifests no tag points to: what `--delete-untagged` deletes. */
  untagged: string[];
  /** Manifests a tagged index names (directly or through another index). */
  namedByTaggedIndex: Set<string>;
}

/** repository → its manifests as GC sees them. */
export type UntaggedManifests = Map<string, RepositoryManifests>;

const v2 = (root: string) => join(root, 'docker', 'registry', 'v2', 'repositories');

async function entries(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The digests an index stored as a blob names; [] for anything else or unreadable. */
async function indexChildren(rootDirectory: string, digest: string): Promise<string[]> {
  const hex = digest.replace(/^sha256:/, '');
  try {
    const json = JSON.parse(
      await readFile(
        join(rootDirectory, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data'),
        'utf8',
      ),
    ) as { manifests?: { digest?: unknown }[] };
    return (json.manifests ?? []).map((m) => m.digest).filter((d): d is string => typeof d === 'string');
  } catch {
    return [];
  }
}

/** Every repository of a filesystem storage `rootdirectory`, with its untagged manifests. */
export async function findUntaggedManifests(rootDirectory: string): Promise<UntaggedManifests> {
  const out: UntaggedManifests = new Map();
  const walk = async (dir: string, name: string, depth: number): Promise<void> => {
    const children = await entries(dir);
    if (children.includes('_manifests')) {
      const revisions = (await entries(join(dir, '_manifests', 'revisions', 'sha256'))).map((hex) => `sha256:${hex}`);
      const tagged = new Set<string>();
      for (const tag of await entries(join(dir, '_manifests', 'tags'))) {
        const link = (
          await readFile(join(dir, '_manifests', 'tags', tag, 'current', 'link'), 'utf8').catch(() => '')
        ).trim();
        if (link) tagged.add(link);
      }
      const named = new Set<string>();
      const queue = [...tagged];
      for (let digest = queue.pop(); digest !== undefined; digest = queue.pop()) {
        for (const child of await indexChildren(rootDirectory, digest)) {
          if (!named.has(child)) queue.push(child);
          named.add(child);
        }
      }
      out.set(name, { untagged: revisions.filter((d) => !tagged.has(d)).sort(), namedByTaggedIndex: named });
    }
    if (depth >= 8) return;
    for (const child of children.filter((c) => !c.startsWith('_')))
      await walk(join(dir, child), name ? `${name}/${child}` : child, depth + 1);
  };
  await walk(v2(rootDirectory), '', 0);
  return out;
}

/**
 * `{ deleteUntagged: true }` only when every untagged manifest is in a repository this prune
 * examined and is not among its kept digests; otherwise false and why.
 */
export function deleteUntaggedDecision(
  untagged: UntaggedManifests,
  kept: ReadonlyMap<string, ReadonlySet<string>>,
): { deleteUntagged: boolean; why: string } {
  let count = 0;
  for (const [repo, { untagged: digests, namedByTaggedIndex }] of untagged) {
    if (!digests.length) continue;
    const keep = kept.get(repo);
    if (!keep)
      return {
        deleteUntagged: false,
        why: `repository ${repo} (not pruned here) has ${digests.length} untagged manifest(s)`,
      };
    const child = digests.find((d) => namedByTaggedIndex.has(d));
    if (child)
      return {
        deleteUntagged: false,
        why: `${repo}@${child} is untagged but a tagged index names it (distribution 2.8 would delete it: distribution/distribution#3004)`,
      };
    const needed = digests.find((d) => keep.has(d));
    if (needed) return { deleteUntagged: false, why: `${repo}@${needed} is untagged but kept (a pin or a reference)` };
    count += digests.length;
  }
  return {
    deleteUntagged: true,
    why: `${count} untagged manifest(s) in pruned repositories, none of them kept or named by an index`,
  };
}
