import { describe, expect, test } from 'vitest';
import { decideRetention, orderContentTags, type RetentionInput, type TaggedManifest } from './policy.js';

const d = (n: number) => `sha256:${String(n).padStart(64, '0')}`;
const img = (day: number | null, children: string[] = []): TaggedManifest => ({
  created: day === null ? null : new Date(Date.UTC(2025, 0, day)).toISOString(),
  children,
});

/** Digest n created on day n, tagged `content-cn`; `dev` on the newest unless given. */
function repo(days: number[], extra: Partial<RetentionInput> = {}): RetentionInput {
  const tags: Record<string, string> = {};
  const manifests: Record<string, TaggedManifest> = {};
  for (const n of days) {
    tags[`content-c${n}`] = d(n);
    manifests[d(n)] = img(n);
  }
  tags.dev = d(Math.max(...days));
  return { tags, manifests, currentTags: ['dev'], protectedDigests: {}, keep: 2, ...extra };
}

const summary = (input: RetentionInput) =>
  Object.fromEntries(
    decideRetention(input)
      .decisions.map((x) => [x.digest.replace(/^sha256:0*/, 'd'), x.action] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );

describe('decideRetention', () => {
  test.each<[string, RetentionInput, Record<string, 'keep' | 'delete'>]>([
    [
      'keeps the images of the newest `keep` content tags, deletes older ones',
      repo([1, 2, 3, 4]),
      { d1: 'delete', d2: 'delete', d3: 'keep', d4: 'keep' },
    ],
    ['keep 0: only the current tag', repo([1, 2, 3], { keep: 0 }), { d1: 'delete', d2: 'delete', d3: 'keep' }],
    [
      'a current tag on an old image keeps it',
      { ...repo([1, 2, 3, 4]), tags: { ...repo([1, 2, 3, 4]).tags, dev: d(1) } },
      { d1: 'keep', d2: 'delete', d3: 'keep', d4: 'keep' },
    ],
    [
      'every current tag counts (latest too)',
      { ...repo([1, 2, 3, 4]), tags: { ...repo([1, 2, 3, 4]).tags, latest: d(2) }, currentTags: ['dev', 'latest'] },
      { d1: 'delete', d2: 'keep', d3: 'keep', d4: 'keep' },
    ],
    [
      'a pinned digest stays',
      repo([1, 2, 3, 4], { protectedDigests: { [d(1)]: 'pinned' } }),
      { d1: 'keep', d2: 'delete', d3: 'keep', d4: 'keep' },
    ],
    [
      'an untagged pinned digest is listed as kept',
      repo([3, 4], { protectedDigests: { [d(9)]: 'pinned' } }),
      { d3: 'keep', d4: 'keep', d9: 'keep' },
    ],
    [
      'an old content tag on the same digest as a kept tag never deletes it',
      { ...repo([1, 2, 3, 4]), tags: { ...repo([1, 2, 3, 4]).tags, 'content-old': d(4) } },
      { d1: 'delete', d2: 'delete', d3: 'keep', d4: 'keep' },
    ],
    [
      'a tag neither current nor content is deleted',
      {
        ...repo([3, 4]),
        tags: { ...repo([3, 4]).tags, v1: d(7) },
        manifests: { ...repo([3, 4]).manifests, [d(7)]: img(7) },
      },
      { d3: 'keep', d4: 'keep', d7: 'delete' },
    ],
    [
      'an unknown creation date counts as newest (nothing deleted on a guess)',
      { ...repo([1, 2, 3]), manifests: { ...repo([1, 2, 3]).manifests, [d(1)]: img(null) } },
      { d1: 'keep', d2: 'delete', d3: 'keep' },
    ],
    [
      'a deleted index takes its children, except those a kept index names',
      {
        tags: { dev: d(20), 'content-a': d(10), 'content-b': d(20) },
        manifests: { [d(10)]: img(10, [d(11), d(12)]), [d(20)]: img(20, [d(12), d(21)]) },
        currentTags: ['dev'],
        protectedDigests: {},
        keep: 0,
      },
      { d10: 'delete', d11: 'delete', d20: 'keep' },
    ],
    [
      'a tagged image that a kept index names is kept',
      {
        tags: { dev: d(20), 'content-a': d(11) },
        manifests: { [d(20)]: img(20, [d(11)]), [d(11)]: img(11) },
        currentTags: ['dev'],
        protectedDigests: {},
        keep: 0,
      },
      { d11: 'keep', d20: 'keep' },
    ],
  ])('%s', (_name, input, expected) => {
    expect(summary(input)).toEqual(expected);
  });

  test('reasons say why', () => {
    const { decisions } = decideRetention(
      repo([1, 2, 3], { keep: 1, protectedDigests: { [d(1)]: 'pinned in artifacts/image-digests.json' } }),
    );
    const by = Object.fromEntries(decisions.map((x) => [x.digest, x]));
    expect(by[d(1)]).toMatchObject({
      action: 'keep',
      tags: ['content-c1'],
      reasons: ['pinned in artifacts/image-digests.json'],
    });
    expect(by[d(2)]).toMatchObject({ action: 'delete', reasons: ['content-c2 2nd newest content image (keep 1)'] });
    expect(by[d(3)]!.reasons).toEqual(['current tag dev', 'content-c3 1st newest content image (keep 1)']);
    expect(by[d(3)]!.tags).toEqual(['content-c3', 'dev']);
  });

  test('kept includes the untagged children of kept indexes', () => {
    const plan = decideRetention({
      tags: { dev: d(20) },
      manifests: { [d(20)]: img(20, [d(21), d(22)]) },
      currentTags: ['dev'],
      protectedDigests: {},
      keep: 5,
    });
    expect([...plan.kept].sort()).toEqual([d(20), d(21), d(22)]);
    expect(plan.decisions.map((x) => x.digest)).toEqual([d(20)]);
  });

  test('a bad keep is refused with its value', () => {
    expect(() => decideRetention(repo([1], { keep: -1 }))).toThrow('retention.keep must be a whole number ≥ 0, got -1');
  });
});

test('orderContentTags: newest first, equal dates by name, unknown first', () => {
  const manifests = { [d(1)]: img(1), [d(2)]: img(2), [d(3)]: img(null) };
  expect(
    orderContentTags({
      tags: { 'content-a': d(1), 'content-b': d(1), 'content-c': d(2), 'content-z': d(3), dev: d(2) },
      manifests,
    }),
  ).toEqual(['content-z', 'content-c', 'content-b', 'content-a']);
});
