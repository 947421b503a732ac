import { describe, expect, test } from 'vitest';
import { criticalPath } from './critical-path.js';
import { layoutTimeline, tickSeconds } from './timeline.js';
import { row, run } from './testing/runs.js';

// 100 px per second: plot 1000 px wide, wall 10 s, zero at x = 200.
const opts = { labelWidth: 200, plotWidth: 1000, rowHeight: 20, top: 30 };

describe('layoutTimeline', () => {
  const record = run(
    'r',
    [
      row({ service: 'late' }),
      row({ service: 'base' }),
      row({ service: 'never', startedAt: '', status: 'failed', finishedAt: '2026-01-01T00:00:09.000Z' }),
    ],
    {
      base: {
        phases: [
          { phase: 'check', start: 0, end: 0.25 },
          { phase: 'build', start: 0.25, end: 4 },
          { phase: 'push-wait', start: 4, end: 4.5, attempt: 1 },
          { phase: 'push', start: 4.5, end: 6, attempt: 1, note: 'no upload progress for 60 s: stalled, cancelled' },
          { phase: 'retry-wait', start: 6, end: 6.5, attempt: 1 },
          { phase: 'push', start: 6.5, end: 7, attempt: 2 },
          { phase: 'verify', start: 7, end: 7.002 },
        ],
      },
      late: {
        dependsOn: ['base'],
        phases: [
          { phase: 'build-wait', start: 1, end: 7 },
          { phase: 'build', start: 7, end: 10 },
        ],
      },
    },
    { wallSeconds: 10 },
  );

  test.each([
    // service, bar index, x, width
    ['base', 0, 200, 25],
    ['base', 1, 225, 375],
    ['base', 2, 600, 50],
    ['base', 3, 650, 150],
    ['base', 5, 850, 50],
    ['base', 6, 900, 1], // 2 ms still shows as a 1 px sliver
    ['late', 0, 300, 600],
    ['late', 1, 900, 300],
  ])('%s bar %i: x %d, width %d', (service, i, x, width) => {
    const bar = layoutTimeline(record, opts).rows.find((r) => r.service === service)!.bars[i]!;
    expect({ x: bar.x, width: bar.width }).toEqual({ x, width });
  });

  test('rows sorted by start, a service that never started last; each row one row height below the last', () => {
    const layout = layoutTimeline(record, opts);
    expect(layout.rows.map((r) => [r.service, r.y])).toEqual([
      ['base', 30],
      ['late', 50],
      ['never', 70],
    ]);
    expect(layout.height).toBe(30 + 3 * 20 + 10);
    expect(layout.scale).toBe(100);
  });

  test('the critical path is marked on its rows', () => {
    const layout = layoutTimeline(record, opts);
    expect(layout.criticalPath).toEqual(['base', 'late']);
    expect(layout.rows.map((r) => r.critical)).toEqual([true, true, false]);
  });

  test('an axis longer than the wall time when a span ends after it', () => {
    const longer = { ...record, wallSeconds: 5 };
    expect(layoutTimeline(longer, opts).seconds).toBe(10);
  });
});

describe('criticalPath', () => {
  const spans = (end: number) => ({ phases: [{ phase: 'build' as const, start: 0, end }] });
  test.each<[string, Record<string, { dependsOn?: string[]; end: number }>, string[]]>([
    ['one service', { a: { end: 3 } }, ['a']],
    ['the last to end, alone: its bases ended long before', { a: { end: 3 }, b: { end: 9 } }, ['b']],
    [
      'a chain',
      { base: { end: 3 }, mid: { dependsOn: ['base'], end: 6 }, top: { dependsOn: ['mid'], end: 9 } },
      ['base', 'mid', 'top'],
    ],
    [
      'of two bases, the one that ended last',
      { fast: { end: 2 }, slow: { end: 5 }, app: { dependsOn: ['fast', 'slow'], end: 8 } },
      ['slow', 'app'],
    ],
    ['a base outside the run is no step', { app: { dependsOn: ['elsewhere'], end: 4 } }, ['app']],
  ])('%s', (_, services, path) => {
    const record = run(
      'r',
      Object.keys(services).map((service) => row({ service })),
      Object.fromEntries(
        Object.entries(services).map(([n, s]) => [n, { dependsOn: s.dependsOn ?? [], ...spans(s.end) }]),
      ),
    );
    expect(criticalPath(record)).toEqual(path);
  });

  test("from the rows' finish times when there are no spans (a summary CSV)", () => {
    const record = run('r', [
      row({ service: 'a', finishedAt: '2026-01-01T00:00:05.000Z' }),
      row({ service: 'b', finishedAt: '2026-01-01T00:00:07.000Z' }),
    ]);
    expect(criticalPath(record)).toEqual(['b']);
  });
});

test.each([
  [10, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
  [47, [0, 5, 10, 15, 20, 25, 30, 35, 40, 45]],
  [0.9, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]],
  [130, [0, 20, 40, 60, 80, 100, 120]],
])('ticks for %s s', (seconds, ticks) => {
  expect(tickSeconds(seconds)).toEqual(ticks);
});
