import { expect, test } from 'vitest';
import { deleteUntaggedDecision, type UntaggedManifests } from './untagged.js';

const d = (n: number) => `sha256:${String(n).padStart(64, '0')}`;
const repo = (untagged: number[], named: number[] = []) => ({
  untagged: untagged.map(d),
  namedByTaggedIndex: new Set(named.map(d)),
});

test.each<[string, UntaggedManifests, Record<string, number[]>, boolean, string]>([
  ['nothing untagged', new Map([['ns/a', repo([])]]), { 'ns/a': [1] }, true, '0 untagged'],
  ['untagged and not kept', new Map([['ns/a', repo([2])]]), { 'ns/a': [1] }, true, '1 untagged'],
  ['an index child', new Map([['ns/a', repo([2], [2])]]), { 'ns/a': [1] }, false, 'a tagged index names it'],
  ['a kept (pinned) digest', new Map([['ns/a', repo([1])]]), { 'ns/a': [1] }, false, 'untagged but kept'],
  [
    'a repository not pruned here',
    new Map([['other/x', repo([5])]]),
    { 'ns/a': [1] },
    false,
    'repository other/x (not pruned here)',
  ],
  [
    'a repository not pruned here with nothing untagged',
    new Map([['other/x', repo([])]]),
    { 'ns/a': [1] },
    true,
    '0 untagged',
  ],
])('%s', (_name, untagged, kept, expected, why) => {
  const decision = deleteUntaggedDecision(
    untagged,
    new Map(Object.entries(kept).map(([k, v]) => [k, new Set(v.map(d))])),
  );
  expect(decision.deleteUntagged).toBe(expected);
  expect(decision.why).toContain(why);
});
