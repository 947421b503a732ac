import { expect, test } from 'vitest';
import { closest, distance, listOf } from './suggest.js';

test.each([
  ['', '', 0],
  ['abc', 'abc', 0],
  ['kitten', 'sitting', 3],
  ['', 'abc', 3],
])('distance(%s, %s) = %i', (a, b, d) => expect(distance(a, b)).toBe(d));

test.each([
  ['platform_base', ['platform-base', 'web'], 'platform-base'],
  ['Platform-Base', ['platform-base'], 'platform-base'],
  ['contxt', ['context', 'dockerfile'], 'context'],
  ['servics', ['services', 'registry'], 'services'],
  ['postgres', ['base', 'web'], undefined],
  ['a', [], undefined],
])('closest(%s) = %s', (name, candidates, expected) => expect(closest(name, candidates)).toBe(expected));

test('listOf shortens long lists', () => {
  expect(listOf(['a', 'b', 'c'], 2)).toBe('a, b (and 1 more)');
});
