import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { digestOf, digestProblem, isDigest, sha256Digest } from './digest.js';

describe('digest', () => {
  test('sha256 of the exact bytes, not of re-serialised JSON', () => {
    const bytes = Buffer.from('{\n  "schemaVersion": 2\n}');
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(bytes.toString())));
    expect(sha256Digest(bytes)).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    expect(sha256Digest(bytes)).not.toBe(sha256Digest(reserialised));
  });

  test('digestOf follows the algorithm of the digest it is compared with', () => {
    const bytes = Buffer.from('x');
    expect(digestOf(bytes, `sha512:${'0'.repeat(128)}`)).toMatch(/^sha512:[a-f0-9]{128}$/);
    expect(digestOf(bytes)).toBe(sha256Digest(bytes));
  });

  test.each([
    [`sha256:${'a'.repeat(64)}`, undefined],
    [`sha512:${'0'.repeat(128)}`, undefined],
    [`sha256:${'A'.repeat(64)}`, /64 lowercase hex/],
    [`sha256:${'a'.repeat(63)}`, /64 lowercase hex/],
    ['sha256:xyz', /must look like/],
    ['a'.repeat(64), /must look like/],
    [`md5:${'a'.repeat(32)}`, /not supported/],
  ])('%s', (value, problem) => {
    if (problem === undefined) expect(digestProblem(value)).toBeUndefined();
    else expect(digestProblem(value)).toMatch(problem);
    expect(isDigest(value)).toBe(problem === undefined);
  });
});
