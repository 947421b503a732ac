import { describe, expect, it } from 'vitest';
import { formatTotals, renderTable, shortDigest } from './table.js';
import { makeRow } from './fixtures/rows.js';
import type { RowStatus } from './types.js';

const rowsWith = (...statuses: RowStatus[]) => statuses.map((status, i) => makeRow({ service: `s${i}`, status }));

describe('formatTotals', () => {
  it.each([
    [[], '0 services'],
    [['pushed'], '1 service: 1 pushed'],
    [['pushed', 'pushed', 'pushed', 'pushed', 'pushed', 'pushed', 'failed'], '7 services: 6 pushed, 1 failed'],
    [
      ['failed', 'unchanged', 'interrupted', 'pushed', 'running'],
      '5 services: 1 pushed, 1 unchanged, 1 failed, 1 interrupted, 1 running',
    ],
  ] as [RowStatus[], string][])('%j → %s', (statuses, line) => {
    expect(formatTotals(rowsWith(...statuses))).toBe(line);
  });
});

describe('shortDigest', () => {
  it.each([
    ['sha256:0123456789abcdef0123', '0123456789ab'],
    ['', ''],
    ['0123456789abcdef', '0123456789ab'],
  ])('%s → %s', (digest, short) => {
    expect(shortDigest(digest)).toBe(short);
  });
});

describe('renderTable', () => {
  it('aligns columns, right-aligns numbers, shortens digests and errors, ends with the totals', () => {
    const long = `manifest unknown: ${'x'.repeat(100)}`;
    const text = renderTable([
      makeRow({ service: 'api' }),
      makeRow({
        service: 'www-ameide',
        status: 'failed',
        phase: 'verify',
        attempts: 3,
        buildSeconds: 123.4,
        digest: '',
        verify: 'missing-blob',
        error: long,
      }),
    ]);
    const lines = text.split('\n');
    expect(lines[0]).toBe('SERVICE     STATUS  PHASE   ATTEMPTS  BUILD S  PUSH S  VERIFY        DIGEST        ERROR');
    expect(lines[1]).toBe('api         pushed                 1    12.50    3.25  verified      0123456789ab');
    expect(lines[2]).toBe(
      `www-ameide  failed  verify         3   123.40    3.25  missing-blob                ${long.slice(0, 59)}…`,
    );
    expect(lines.slice(3)).toEqual(['', '2 services: 1 pushed, 1 failed', '']);
  });

  it('adds a NOTE column only when a row has a note', () => {
    const text = renderTable([
      makeRow({ service: 'api', note: 'reference host not checked: it does not resolve' }),
      makeRow({ service: 'web' }),
    ]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/ERROR\s+NOTE$/);
    expect(lines[1]).toMatch(/0123456789ab\s+reference host not checked: it does not resolve$/);
    expect(renderTable([makeRow()])).not.toContain('NOTE');
  });

  it('prints only the header and the totals for no rows', () => {
    expect(renderTable([])).toBe(
      'SERVICE  STATUS  PHASE  ATTEMPTS  BUILD S  PUSH S  VERIFY  DIGEST  ERROR\n\n0 services\n',
    );
  });
});
