import { describe, expect, test } from 'vitest';
import { parseSource } from './source.js';
import { lines } from './testing/issues.js';

const source = parseSource(
  lines(
    'registry:', //                      1
    '  host: localhost:5001', //         2
    'services:', //                      3
    '  "2":', //                         4
    '  web:', //                         5
    '    tags: [dev, "latest"]', //      6
    '    context:', //                   7
    '    buildArgs: {V: 1.10}', //       8
  ),
);

describe('parseSource', () => {
  test.each([
    [['registry', 'host'], 'value', { line: 2, column: 9 }],
    [['registry', 'host'], 'key', { line: 2, column: 3 }],
    [['services', 'web'], 'value', { line: 5, column: 3 }], // a map value: its key
    [['services', 'web', 'tags', 1], 'value', { line: 6, column: 17 }],
    [['services', 'web', 'context'], 'value', { line: 7, column: 5 }], // empty value: its key
    [['services', 'web', 'dockerfile'], 'value', { line: 5, column: 3 }], // missing: the parent
    [['registry', 'namespace'], 'value', { line: 1, column: 1 }],
    [['nope', 'deeper'], 'value', { line: 1, column: 1 }],
    [[], 'value', { line: 1, column: 1 }],
  ] as const)('locate %j at %s', (path, at, position) => {
    expect(source.locate(path, at)).toEqual(position);
  });

  test('keys keep file order; textAt keeps the text as written', () => {
    expect(source.keys(['services'])).toEqual(['2', 'web']);
    expect(source.keys(['services', 'web', 'tags'])).toEqual([]);
    expect(source.textAt(['services', 'web', 'buildArgs', 'V'])).toBe('1.10');
    expect(source.textAt(['services', 'web'])).toBeUndefined();
    expect(source.problems).toEqual([]);
  });

  test('follows aliases', () => {
    const aliased = parseSource(lines('base: &base', '  tags: [a]', 'services:', '  web: *base'));
    expect(aliased.locate(['services', 'web', 'tags', 0])).toEqual({ line: 2, column: 10 });
  });

  test('an alias bomb is a problem, not a hang', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++)
      bomb.push(
        `${'b'.repeat(i)}: &${'b'.repeat(i)} [${Array(10)
          .fill(i === 1 ? '*a' : `*${'b'.repeat(i - 1)}`)
          .join(', ')}]`,
      );
    const parsed = parseSource(lines(...bomb));
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]!.message).toMatch(/^invalid YAML: /);
    expect(parsed.data).toBeUndefined();
  });
});
