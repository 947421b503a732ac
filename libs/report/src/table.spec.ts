import { describe, expect, it } from 'vitest';
import { formatTotals, renderTable, shortDigest } from './table.js';
import { makeRow } from './fixtures/rows.js';
import type { OutcomeKind } from './outcome.js';

const rowsWith = (...statuses: OutcomeKind[]) => statuses.map((status, i) => makeRow({ service: `s${i}`, status }));

describe('formatTotals', () => {
  it.each([
    [[], '0 services'],
    [['pushed'], '1 service: 1 pushed'],
    [['pushed', 'pushed', 'pushed', 'pushed', 'pushed', 'pushed', 'failed'], '7 services: 6 pushed, 1 failed'],
    [
      ['failed', 'unchanged', 'interrupted', 'pushed', 'busy', 'skipped'],
      '6 services: 1 pushed, 1 unchanged, 1 failed, 1 skipped, 1 busy, 1 interrupted',
    ],
  ] as [OutcomeKind[], string][])('%j → %s', (statuses, line) => {
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
  it('aligns columns, right-aligns numbers, shortens digests; each error in full under the table, then the totals', () => {
    const long = `manifest unknown: ${'x'.repeat(100)} the reason at the end`;
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
    expect(text.split('\n')).toEqual([
      'SERVICE     STATUS  PHASE   ATTEMPTS  BUILD S  PUSH S  VERIFY        DIGEST',
      'api         pushed                 1    12.50    3.25  verified      0123456789ab',
      'www-ameide  failed  verify         3   123.40    3.25  missing-blob',
      '',
      `www-ameide: ${long}`,
      '',
      '2 services: 1 pushed, 1 failed',
      '',
    ]);
  });

  it('puts notes under the table too, and keeps the table as wide as without them', () => {
    const text = renderTable([
      makeRow({ service: 'api', note: 'reference host not checked: it does not resolve' }),
      makeRow({ service: 'web' }),
    ]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/DIGEST$/);
    expect(lines.slice(3, 6)).toEqual(['', 'api: note: reference host not checked: it does not resolve', '']);
  });

  it('prints only the header and the totals for no rows', () => {
    expect(renderTable([])).toBe('SERVICE  STATUS  PHASE  ATTEMPTS  BUILD S  PUSH S  VERIFY  DIGEST\n\n0 services\n');
  });
});
