import { describe, expect, test } from 'vitest';
import { builtServices, compareRuns, type Change } from './compare.js';
import { renderComparisonMarkdown, renderComparisonTable } from './render-comparison.js';
import { row, run } from './testing/runs.js';

const OTHER = `sha256:${'b'.repeat(64)}`;

describe('compareRuns: one service, before and after', () => {
  test.each<[string, Parameters<typeof row>[0] | null, Parameters<typeof row>[0] | null, Change, boolean]>([
    // name, then, now, change, digest changed
    ['built both times, same digest', { service: 's' }, { service: 's' }, 'rebuilt', false],
    ['built both times, new digest', { service: 's' }, { service: 's', digest: OTHER }, 'rebuilt', true],
    [
      'unchanged, then built',
      { service: 's', status: 'unchanged' },
      { service: 's', digest: OTHER },
      'newly-built',
      true,
    ],
    [
      'built, then unchanged',
      { service: 's' },
      { service: 's', status: 'unchanged', buildSeconds: 0 },
      'newly-unchanged',
      false,
    ],
    [
      'unchanged both times',
      { service: 's', status: 'unchanged' },
      { service: 's', status: 'unchanged' },
      'unchanged',
      false,
    ],
    ['ok, then failed', { service: 's' }, { service: 's', status: 'failed', digest: '' }, 'newly-failed', false],
    [
      'ok, then interrupted',
      { service: 's' },
      { service: 's', status: 'interrupted', digest: '' },
      'newly-failed',
      false,
    ],
    [
      'failed both times',
      { service: 's', status: 'failed', digest: '' },
      { service: 's', status: 'failed', digest: '' },
      'still-failed',
      false,
    ],
    ['failed, then fixed', { service: 's', status: 'failed', digest: '' }, { service: 's' }, 'fixed', false],
    ['new service', null, { service: 's' }, 'new', false],
    ['service gone', { service: 's' }, null, 'gone', false],
  ])('%s', (_, then, now, change, digestChanged) => {
    const c = compareRuns(run('now', now ? [row(now)] : []), run('then', then ? [row(then)] : []));
    expect(c.services).toHaveLength(1);
    expect(c.services[0]).toMatchObject({ service: 's', change, digestChanged });
  });
});

describe('compareRuns: times', () => {
  test.each([
    // then build/push, now build/push, slower (threshold 1.5x, at least 1 s more)
    [10, 2, 10, 2, false, 1, 1],
    [10, 2, 16, 2, true, 1.6, 1],
    [10, 2, 14, 2, false, 1.4, 1],
    [10, 2, 10, 5, true, 1, 2.5],
    [0.2, 0.1, 0.8, 0.3, false, 4, 3], // 4x, but less than a second: noise
  ])('build %s → %s… slower: %s', (b0, p0, b1, p1, slower, buildRatio, pushRatio) => {
    const c = compareRuns(
      run('now', [row({ service: 's', buildSeconds: b1, pushSeconds: p1 })]),
      run('then', [row({ service: 's', buildSeconds: b0, pushSeconds: p0 })]),
    );
    expect(c.services[0]).toMatchObject({ slower, buildRatio, pushRatio });
  });

  test('no ratio when one run did not build (unchanged: 0 s)', () => {
    const c = compareRuns(
      run('now', [row({ service: 's', status: 'unchanged', buildSeconds: 0, pushSeconds: 0 })]),
      run('then', [row({ service: 's' })]),
    );
    expect(c.services[0]).toMatchObject({ buildRatio: null, pushRatio: null, slower: false });
  });

  test('slower services first, the slowest first; then failures; the wall time and its change', () => {
    const c = compareRuns(
      run(
        'now',
        [
          row({ service: 'a', status: 'unchanged' }),
          row({ service: 'b', buildSeconds: 20 }),
          row({ service: 'c', buildSeconds: 40 }),
          row({ service: 'd', status: 'failed' }),
        ],
        {},
        { wallSeconds: 30 },
      ),
      run(
        'then',
        ['a', 'b', 'c', 'd'].map((service) => row({ service })),
      ),
    );
    expect(c.services.map((s) => s.service)).toEqual(['c', 'b', 'd', 'a']);
    expect(c).toMatchObject({ wallSeconds: 30, previousWallSeconds: 20, wallRatio: 1.5 });
    expect(builtServices(c)).toEqual(['b', 'c']);
  });
});

describe('rendering a comparison', () => {
  const c = compareRuns(
    run('now', [
      row({ service: 'api-gateway', cacheSteps: 5, cachedSteps: 0, buildSeconds: 30 }),
      row({ service: 'web', status: 'unchanged', buildSeconds: 0, pushSeconds: 0, cacheSteps: 0 }),
    ]),
    run('then', [
      row({ service: 'api-gateway', cacheSteps: 5, cachedSteps: 5 }),
      row({ service: 'web', status: 'pushed' }),
    ]),
  );

  test('the table names what was rebuilt, the slower service first, and the cache that stopped working', () => {
    const table = renderComparisonTable(c);
    expect(table).toContain('run now against then: wall 20.00 → 20.00 s (1x)');
    expect(table).toContain('rebuilt (1): api-gateway;');
    const lines = table.split('\n');
    expect(lines[4]).toMatch(
      /^api-gateway\s+rebuilt, slower\s+same\s+10\.00 → 30\.00 \(3x\)\s+2\.00 → 2\.00 \(1x\)\s+0\/5, was 5\/5$/,
    );
    expect(lines[5]).toMatch(/^web\s+newly-unchanged\s+same\s+10\.00 → 0\s+2\.00 → 0\s+was 0\/5$/);
  });

  test('the Markdown is a table of the same cells', () => {
    const md = renderComparisonMarkdown(c);
    expect(md).toContain('## Against the previous run `then`');
    expect(md).toContain(
      '| api-gateway | rebuilt, slower | same | 10.00 → 30.00 (3x) | 2.00 → 2.00 (1x) | 0/5, was 5/5 |',
    );
  });
});
