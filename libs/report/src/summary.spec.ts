import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';
import { renderMarkdown } from './markdown.js';
import { renderSummary, summaryFileNames } from './summary.js';
import { makeRow } from './fixtures/rows.js';
import type { SummaryJson } from './types.js';

const opts = { tag: 'dev', runId: 'run-1', generatedAt: '2025-01-02T03:06:00.000Z' };

describe('summaryFileNames', () => {
  it('follows the tag', () => {
    expect(summaryFileNames('v1.2.3')).toEqual({
      csv: 'build-summary-v1.2.3.csv',
      json: 'build-summary-v1.2.3.json',
      md: 'build-summary-v1.2.3.md',
    });
  });

  it.each(['', '../x', 'a/b', '-dev', 'x'.repeat(129)])('rejects the tag %j, repeating it', (tag) => {
    expect(() => summaryFileNames(tag)).toThrow(`got ${JSON.stringify(tag)}`);
  });
});

describe('renderSummary', () => {
  it('renders CSV, JSON and Markdown from the same rows, sorted by service', async () => {
    const rows = [
      makeRow({
        service: 'web',
        status: 'failed',
        phase: 'push',
        attempts: 3,
        digest: '',
        verify: '',
        error: 'denied | "no", a\nb',
      }),
      makeRow({ service: 'api' }),
    ];
    const out = await renderSummary(rows, opts);
    const json = JSON.parse(out.json) as SummaryJson;
    expect(json.generatedAt).toBe(opts.generatedAt);
    expect(json.runId).toBe('run-1');
    expect(json.rows.map((r) => r.service)).toEqual(['api', 'web']);
    expect(await parseCsv(out.csv)).toEqual(json.rows);
    expect(json.rows[1]!.error).toBe('denied | "no", a b');

    const mdRows = out.md
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| Service') && !l.startsWith('| ---'));
    expect(mdRows).toHaveLength(2);
    expect(mdRows[0]).toBe(
      '| api | pushed |  | 1 | 12.50 | 3.25 | 0.40 | 1/4 | verified | `0123456789ab` | `artifacts/image-build-logs/api_dev.log` |  |  |',
    );
    expect(mdRows[1]).toContain('| web | failed | push | 3 |');
    expect(mdRows[1]).toContain('| denied \\| "no", a b |');
    expect(out.md).toContain('**2 services: 1 pushed, 1 failed**');
  });
});

describe('renderMarkdown', () => {
  it('is a plain table: no emoji, and no HTML from an error', () => {
    const md = renderMarkdown([makeRow({ status: 'failed', error: '<script>x</script>' })], opts);
    expect(md).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(md).not.toMatch(/\p{Extended_Pictographic}/u);
    expect(md.split('\n').slice(0, 6)).toEqual([
      '## Build summary `dev`',
      '',
      'Run `run-1`, generated 2025-01-02T03:06:00.000Z.',
      '',
      '| Service | Status | Phase | Attempts | Build s | Push s | Verify s | Cached | Verify | Digest | Log | Error | Note |',
      '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | --- | --- |',
    ]);
  });
});
