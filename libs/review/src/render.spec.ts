import { describe, expect, test } from 'vitest';
import { renderTimeline } from './render-timeline.js';
import { renderTrend } from './render-trend.js';
import { row, run } from './testing/runs.js';

const record = run(
  'r1',
  [row({ service: 'a' }), row({ service: 'b', status: 'failed', error: '<img src=https://x.example/y>' })],
  {
    a: { phases: [{ phase: 'build', start: 0, end: 3 }] },
    b: { dependsOn: ['a'], phases: [{ phase: 'push', start: 3, end: 5, attempt: 1, note: 'stalled' }] },
  },
);

/** Anything a browser would fetch: src/href to a URL, a script, a style sheet link. */
const EXTERNAL = /<[^>]*\b(src|href)\s*=\s*["']?(https?:)?\/\/|<script|<link|@import|url\(/i;

describe('the pages', () => {
  test('timeline: one row per service, hover text, nothing fetched, the error escaped', () => {
    const html = renderTimeline(record);
    expect(html.match(/<g class="row/g)).toHaveLength(2);
    expect(html).toContain('data-service="b" data-status="failed"');
    expect(html).toContain('<title>a: building: 0.00 → 3.00 s (3.00 s)</title>');
    expect(html).toContain('stroke-dasharray');
    expect(html).toContain('Critical path: a → b.');
    expect(html).toContain('&lt;img src=https://x.example/y&gt;');
    expect(html).not.toMatch(EXTERNAL);
  });

  test('history: one chart per service over the kept runs, nothing fetched', () => {
    const later = run('r2', [row({ service: 'a', buildSeconds: 30 }), row({ service: 'b' })]);
    const html = renderTrend([record, later]);
    expect(html.match(/<tr class="service"/g)).toHaveLength(2);
    // a went from 12 s to 32 s: it leads.
    expect(html.indexOf('data-service="a"')).toBeLessThan(html.indexOf('data-service="b"'));
    expect(html).toContain('<title>r2: build 30.00 s</title>');
    // An unchanged run spent nothing on the service: no point for it.
    const unchanged = run('r3', [row({ service: 'a', status: 'unchanged', buildSeconds: 0, pushSeconds: 0 })]);
    expect(renderTrend([record, unchanged])).not.toContain('r3: build');
    expect(html).not.toMatch(EXTERNAL);
  });
});
