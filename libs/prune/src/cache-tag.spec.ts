import { expect, it } from 'vitest';
import { cacheTag } from './cache-tag.js';

const registry = { namespace: 'ameide' } as never;

it.each([
  ['the default, beside the image', 'k3d-dev-reg:5000/ameide/{service}:buildcache', 'buildcache'],
  ['its own tag', 'k3d-dev-reg:5000/ameide/{service}:cache-main', 'cache-main'],
  ['another repository: not this one to keep', 'k3d-dev-reg:5000/caches/{service}:buildcache', null],
])('%s', (_, ref, tag) => {
  expect(cacheTag({ registry, cache: { registry: { ref, mode: 'max' } } }, 'www')).toBe(tag);
});

it('no cache, nothing to keep', () => {
  expect(cacheTag({ registry, cache: { registry: null } }, 'www')).toBeNull();
});
