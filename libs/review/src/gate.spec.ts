import { expect, test } from 'vitest';
import { compareRuns } from './compare.js';
import { gateFailures, parseFailOn } from './gate.js';
import { row, run } from './testing/runs.js';

test.each([
  ['slower:2x,failed', { slower: 2, failed: true, newlyFailed: false }],
  ['slower:1.5', { slower: 1.5, failed: false, newlyFailed: false }],
  ['newly-failed', { slower: null, failed: false, newlyFailed: true }],
])('parseFailOn(%s)', (text, expected) => {
  expect(parseFailOn(text)).toEqual(expected);
});

test.each(['slower:1x', 'slow', 'slower:2y'])('parseFailOn(%s) names the bad part', (text) => {
  expect(() => parseFailOn(text)).toThrow(/^--fail-on: ".*" is not one of slower:<N>x/);
});

test('gateFailures: each reason in one line; nothing asked, nothing fails', () => {
  const c = compareRuns(
    run('now', [row({ service: 'a', buildSeconds: 25 }), row({ service: 'b', status: 'failed' })]),
    run('then', [row({ service: 'a' }), row({ service: 'b' })]),
  );
  expect(gateFailures(c, parseFailOn('slower:2x,newly-failed'))).toEqual([
    'a: build 2.5x as long (limit 2x)',
    'b: newly failed',
  ]);
  expect(gateFailures(c, parseFailOn('slower:3x'))).toEqual([]);
  expect(gateFailures(c, parseFailOn(''))).toEqual([]);
});
