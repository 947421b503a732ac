/**
 * What `imagefleet prune` keeps and deletes in one repository: a pure function of what the
 * registry holds (tags → digests, creation times, index children) and what must stay (current
 * tags, pins, values-file references). No registry here: table-tested in policy.spec.ts.
 *
 * Deletion is by manifest digest (distribution 2.8 deletes only by digest, and drops every tag
 * pointing at it), so a digest is kept as soon as one reason holds for it — a kept tag, a pin, a
 * reference — and a content tag past the newest `keep` never takes a kept image with it.
 */

/** Content tags are `content-<key>` (push-service.ts sets one on every verified push). */
export const CONTENT_TAG_PREFIX = 'content-';

export interface TaggedManifest {
  /**
   * The image config's `created` (ISO 8601; for an index, the newest of its images), or null when
   * unknown. distribution keeps no tag dates, so this orders content tags.
   */
  created: string | null;
  /** Manifests an index names (platform images, attestations); [] for an image manifest. */
  children: string[];
}

export interface RetentionInput {
  /** Every tag of the repository → the digest it points to. */
  tags: Record<string, string>;
  /** Every digest a tag points to → what it is. */
  manifests: Record<string, TaggedManifest>;
  /** The service's current tags (`service.tags`, e.g. `dev`, `latest`): always kept. */
  currentTags: readonly string[];
  /** Digests that must stay whatever their tags → why (a pin, a values file). */
  protectedDigests: Record<string, string>;
  /** Content tags kept, newest first (`retention.keep`). */
  keep: number;
}

export interface RetentionDecision {
  digest: string;
  action: 'keep' | 'delete';
  /** Tags pointing at the digest now, sorted. */
  tags: string[];
  /** Why, e.g. `current tag dev`, `pinned in artifacts/image-digests.json`, `content-ab12 7th newest content image (keep 5)`. */
  reasons: string[];
}

export interface RetentionPlan {
  decisions: RetentionDecision[];
  /** Every digest that stays, the untagged children of kept indexes included. */
  kept: Set<string>;
}

const ordinal = (n: number) =>
  `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')}`;

/**
 * Content tags newest first: by `created`, an unknown date counting as newest (nothing is deleted
 * on a guess); equal dates by tag name, so the order is the same on every run.
 */
export function orderContentTags(input: Pick<RetentionInput, 'tags' | 'manifests'>): string[] {
  const time = (tag: string) => {
    const created = input.manifests[input.tags[tag]!]?.created;
    const ms = created ? Date.parse(created) : Number.NaN;
    return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
  };
  return Object.keys(input.tags)
    .filter((t) => t.startsWith(CONTENT_TAG_PREFIX))
    .sort((a, b) => time(b) - time(a) || (a < b ? 1 : a > b ? -1 : 0));
}

/**
 * One decision per digest a tag points to and per protected digest, plus the children of deleted
 * indexes that nothing kept names.
 */
export function decideRetention(input: RetentionInput): RetentionPlan {
  if (!Number.isInteger(input.keep) || input.keep < 0)
    throw new TypeError(`retention.keep must be a whole number ≥ 0, got ${input.keep}`);
  const keepWhy = new Map<string, string[]>();
  const deleteWhy = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, digest: string, why: string) =>
    map.set(digest, [...(map.get(digest) ?? []), why]);
  const current = new Set(input.currentTags);

  for (const tag of input.currentTags) {
    const digest = input.tags[tag];
    if (digest) add(keepWhy, digest, `current tag ${tag}`);
  }
  for (const [digest, why] of Object.entries(input.protectedDigests)) add(keepWhy, digest, why);
  // Counted in images, not tags: two content tags on one image are one of the `keep`.
  const rank: string[] = [];
  for (const tag of orderContentTags(input)) {
    const digest = input.tags[tag]!;
    if (!rank.includes(digest)) rank.push(digest);
    const i = rank.indexOf(digest);
    add(
      i < input.keep ? keepWhy : deleteWhy,
      digest,
      `${tag} ${ordinal(i + 1)} newest content image (keep ${input.keep})`,
    );
  }
  for (const [tag, digest] of Object.entries(input.tags)) {
    if (!current.has(tag) && !tag.startsWith(CONTENT_TAG_PREFIX))
      add(deleteWhy, digest, `tag ${tag} is neither a current tag nor a content tag`);
  }
  // What a kept index names stays too, tagged or not (nested indexes included).
  const queue = [...keepWhy.keys()];
  for (let digest = queue.pop(); digest !== undefined; digest = queue.pop()) {
    for (const child of input.manifests[digest]?.children ?? []) {
      if (!keepWhy.has(child)) queue.push(child);
      add(keepWhy, child, `named by kept index ${digest}`);
    }
  }

  const tagsOf = (digest: string) =>
    Object.keys(input.tags)
      .filter((t) => input.tags[t] === digest)
      .sort();
  const decisions: RetentionDecision[] = [];
  const listed = new Set([...Object.values(input.tags), ...Object.keys(input.protectedDigests)]);
  for (const digest of listed) {
    const kept = keepWhy.get(digest);
    decisions.push({
      digest,
      action: kept ? 'keep' : 'delete',
      tags: tagsOf(digest),
      reasons: kept ?? deleteWhy.get(digest) ?? [],
    });
  }
  // An index's children have no tags: they go with the index unless something kept names them.
  for (let i = 0; i < decisions.length; i++) {
    const d = decisions[i]!;
    if (d.action !== 'delete') continue;
    for (const child of input.manifests[d.digest]?.children ?? []) {
      if (keepWhy.has(child) || listed.has(child)) continue;
      listed.add(child);
      decisions.push({
        digest: child,
        action: 'delete',
        tags: [],
        reasons: [`named only by deleted index ${d.digest}`],
      });
    }
  }
  return { decisions, kept: new Set(keepWhy.keys()) };
}
