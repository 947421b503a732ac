/** Tables from Flux's documented examples (image-reflector-controller docs and its policy tests' data). */
import { describe, expect, test } from 'vitest';
import { parseGoFloat, selectLatest, type FluxPolicy } from './policy.js';

const numerical = (order?: 'asc' | 'desc'): FluxPolicy['policy'] => ({ numerical: order ? { order } : {} });
const alphabetical = (order?: 'asc' | 'desc'): FluxPolicy['policy'] => ({ alphabetical: order ? { order } : {} });
const pick = (tags: string[], spec: FluxPolicy) => {
  const s = selectLatest(tags, spec);
  return s.ok ? s.tag : `error: ${s.error}`;
};

describe('selectLatest: the order', () => {
  test.each([
    [
      'numerical asc (default): Unix timestamps',
      ['1606234201', '1606364286', '1606334092', '1606334284', '1606334201'],
      numerical(),
      '1606364286',
    ],
    [
      'numerical desc',
      ['1606234201', '1606364286', '1606334092', '1606334284', '1606334201'],
      numerical('desc'),
      '1606234201',
    ],
    ['numerical: integers with signs', ['-62', '-88', '73', '72', '15', '16', '29', '-33', '-91'], numerical(), '73'],
    [
      'numerical: floats',
      ['47.40896403322944', '-27.8520927455902', '53.47333823144817', '3.2008658570411086'],
      numerical(),
      '53.47333823144817',
    ],
    ['numerical: 12 sorts after 2 (the sortable-tags guide)', ['2', '12', '9'], numerical(), '12'],
    ['numerical: one value', ['1'], numerical('desc'), '1'],
    [
      'numerical: an invalid value fails the policy',
      ['0', '1a', 'b'],
      numerical(),
      "error: failed to parse invalid numeric value '1a'",
    ],
    ['an empty list fails the policy', [], numerical(), 'error: version list argument cannot be empty'],
    ['alphabetical asc: the alphabet selects Z', ['A', 'Q', 'Z', 'C'], alphabetical(), 'Z'],
    ['alphabetical desc: selects A', ['A', 'Q', 'Z', 'C'], alphabetical('desc'), 'A'],
    ['alphabetical: 2 sorts after 12', ['2', '12', '9'], alphabetical(), '9'],
    ['alphabetical: by bytes, upper case first', ['a', 'B', 'Z'], alphabetical(), 'a'],
  ])('%s', (_, tags, policy, expected) => {
    expect(pick(tags, { policy })).toBe(expected);
  });
});

describe('selectLatest: filterTags', () => {
  test.each([
    // flux create image policy --filter-regex='^main-[a-f0-9]+-(?P<ts>[0-9]+)' --filter-extract='$ts' --select-numeric=asc
    [
      'the CLI example',
      ['main-2b7a1f0-1611840548', 'main-9fceb02-1611840600', 'main-aaaaaaa-99', 'dev', 'latest'],
      '^main-[a-f0-9]+-(?P<ts>[0-9]+)',
      '$ts',
      numerical(),
      'main-9fceb02-1611840600',
    ],
    // The minio example: RELEASE.<RFC3339> sorted alphabetically by the extracted stamp.
    [
      'the minio example',
      ['RELEASE.2021-01-30T00-20-58Z', 'RELEASE.2021-02-01T22-56-21Z', 'RELEASE.2020-12-31T00-00-00Z', 'latest'],
      '^RELEASE\\.(?P<timestamp>.*)Z$',
      '$timestamp',
      alphabetical(),
      'RELEASE.2021-02-01T22-56-21Z',
    ],
    ['unanchored: the pattern matches anywhere', ['ver1', 'ver2', 'ver3', 'rel1'], 'ver', '', alphabetical(), 'ver3'],
    ['a numbered group', ['ver1', 'ver2', 'ver10', 'rel99'], 'ver(\\d+)', '$1', numerical(), 'ver10'],
    [
      'a bracket class with a hyphen',
      ['123-1.1.abcd123-debug', '123-1.1.abcd123', '123-1.1.abcd456'],
      '^(?P<tag>123-[0-9]+\\.[0-9]+\\.[a-z0-9]+$)',
      '$tag',
      alphabetical(),
      '123-1.1.abcd456',
    ],
    [
      'a filter no tag passes fails the policy',
      ['dev', 'latest'],
      '^main-',
      '',
      alphabetical(),
      'error: version list argument cannot be empty',
    ],
    [
      'a dev tag that the filter lets through breaks numerical order',
      ['main-1-5', 'main-x-dev'],
      '^main-(?P<v>.*)$',
      '$v',
      numerical(),
      "error: failed to parse invalid numeric value '1-5'",
    ],
    [
      'an invalid pattern',
      ['a'],
      '(',
      '',
      alphabetical(),
      'error: failed to filter tags: invalid regular expression pattern',
    ],
    [
      'an RE2 construct JavaScript reads otherwise is refused',
      ['a'],
      'a\\z',
      '',
      alphabetical(),
      'error: failed to filter tags: pattern a\\z: "\\z" is RE2 syntax',
    ],
  ])('%s', (_, tags, pattern, extract, policy, expected) => {
    const got = pick(tags, { filterTags: { pattern, extract }, policy });
    if (expected.startsWith('error:')) expect(got.startsWith(expected)).toBe(true);
    else expect(got).toBe(expected);
  });

  test('Go expand: $name takes every name character, ${name} ends at the brace, $$ is a dollar', () => {
    const spec = (extract: string): FluxPolicy => ({
      filterTags: { pattern: '^v(?P<n>[0-9]+)$', extract },
      policy: alphabetical(),
    });
    const value = (extract: string) => {
      const s = selectLatest(['v7'], spec(extract));
      return s.ok ? s.value : s.error;
    };
    expect(value('$n')).toBe('7');
    expect(value('${n}x')).toBe('7x');
    expect(value('$nx')).toBe(''); // no group "nx"
    expect(value('$$n')).toBe('$n');
    expect(value('a$')).toBe('a$');
  });

  test('two tags of one value, or equal numbers: Flux may pick either, so both are named', () => {
    const s = selectLatest(['a-5', 'b-5', 'c-4'], {
      filterTags: { pattern: '-(?P<n>[0-9]+)$', extract: '$n' },
      policy: numerical(),
    });
    expect(s).toMatchObject({ ok: true, tag: 'b-5', tied: ['a-5'] });
    const equal = selectLatest(['1.0', '1', '0.5'], { policy: numerical() });
    expect(equal).toMatchObject({ ok: true, tag: '1', tied: ['1.0'] });
  });

  test('semver is not evaluated here', () => {
    expect(pick(['1.0.0'], { policy: { semver: { range: '>=1.0.0' } } })).toMatch(
      /^error: semver policies are not evaluated/,
    );
  });
});

describe('parseGoFloat: strconv.ParseFloat(s, 64)', () => {
  test.each([
    ['1606364286', 1606364286],
    ['-27.85', -27.85],
    ['1e3', 1000],
    ['.5', 0.5],
    ['5.', 5],
    ['1_000', 1000],
    ['0x1p-2', 0.25],
    ['Inf', Infinity],
    ['-infinity', -Infinity],
    ['1e400', null],
    ['1a', null],
    ['1__0', null],
    ['_1', null],
    ['+nan', null],
    ['', null],
  ])('%s → %s', (text, n) => expect(parseGoFloat(text)).toBe(n));
});
