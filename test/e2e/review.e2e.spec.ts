/**
 * A run's review, for real: `nx run-many -t push` over a small workspace writes the history
 * (`runs/<run-id>.json` with phase spans, `.csv`), `timeline-dev.html` and `history.html`;
 * after a change to one service, `summary --against previous` names exactly that service as
 * rebuilt. Both pages are rendered by headless Chromium: the screenshot is not blank, the DOM
 * has one row per service and nothing in it fetches from outside.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useRegistryWorkspace } from '../support/registry-workspace.js';
import { DOCKER } from '../support/workspace.js';
import { renderPage } from '../support/chromium.js';
import { pngColours } from '../support/png.js';

const SERVICES = ['platform-base', 'www-ameide', 'workflow-worker'];

function manifest(pushHost: string): string {
  return `registry:\n  host: ${pushHost}\n  pushHost: ${pushHost}\n  namespace: ameide\nbuilder:\n  docker: ${DOCKER}\nsummary:\n  keepRuns: 2\nservices:\n  platform-base: {}\n  www-ameide:\n    dependsOn: [platform-base]\n  workflow-worker:\n    dependsOn: [platform-base]\n`;
}

/** Anything a browser would fetch: src/href to a URL, a script, a style sheet link, an import. */
const EXTERNAL = /<[^>]*\b(src|href)\s*=\s*["']?(https?:)?\/\/|<script|<link|@import|url\(/i;

describe('the review of a run: history, comparison, timeline, trend', () => {
  const setup = useRegistryWorkspace(manifest, SERVICES);
  const logs = () => join(setup.ws.dir, 'artifacts', 'image-build-logs');
  const runFiles = () => readdirSync(join(logs(), 'runs')).sort();
  const push = async () => {
    const run = await setup.ws.nx(['run-many', '-t', 'push']);
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
  };

  beforeAll(async () => {
    await push(); // cold: every service built
    appendFileSync(join(setup.ws.dir, 'apps/www-ameide/site/index.html'), '<!-- changed -->\n');
    await push(); // one service changed
  }, 400_000);

  it('keeps each run as JSON and CSV, with a span per phase and cache use per row', () => {
    const files = runFiles();
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(2);
    expect(files.filter((f) => f.endsWith('.csv'))).toHaveLength(2);
    const first = JSON.parse(readFileSync(join(logs(), 'runs', files[1]!), 'utf8')) as {
      rows: { service: string; status: string; cacheSteps: number }[];
      services: Record<string, { phases: { phase: string; start: number; end: number }[] }>;
    };
    expect(first.rows.map((r) => r.status)).toEqual(['pushed', 'pushed', 'pushed']);
    const base = first.services['platform-base']!.phases.map((s) => s.phase);
    expect(base).toEqual(expect.arrayContaining(['check', 'build-wait', 'build', 'push-wait', 'push', 'verify']));
    // platform-base's Dockerfile: COPY, RUN, RUN, COPY.
    expect(first.rows.find((r) => r.service === 'platform-base')!.cacheSteps).toBe(4);
    expect(readFileSync(join(logs(), 'build-summary-dev.csv'), 'utf8').split('\n')[0]).toMatch(
      /,cache_steps,cached_steps$/,
    );
  });

  it('summary --against previous names exactly the changed service as rebuilt; exit 0 (a review, not a gate)', async () => {
    const review = await setup.ws.cli(['summary', '--against', 'previous']);
    expect(review.exitCode, review.all).toBe(0);
    expect(review.stdout).toContain('rebuilt (1): www-ameide;');
    expect(review.stdout).toMatch(/^www-ameide\s+rebuilt\s+changed\s/m);
    expect(review.stdout).toMatch(/^platform-base\s+newly-unchanged\s+same\s/m);
    const gate = await setup.ws.cli(['summary', '--against', 'previous', '--fail-on', 'failed,slower:1000x']);
    expect(gate.exitCode, gate.all).toBe(0);
    const bad = await setup.ws.cli(['summary', '--against', 'previous', '--fail-on', 'slowish']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--fail-on: "slowish" is not one of slower:<N>x');
    expect(readFileSync(join(logs(), 'review-dev.md'), 'utf8')).toContain('| www-ameide | rebuilt | changed |');
  });

  it.each([
    ['timeline-dev.html', /<g class="row[^"]*" data-service="([^"]+)"/g],
    ['history.html', /<tr class="service" data-service="([^"]+)"/g],
  ])(
    '%s in headless Chromium: drawn, one row per service, nothing fetched',
    async (file, rowPattern) => {
      const { png, dom } = await renderPage(join(logs(), file));
      const { width, colours } = pngColours(png);
      expect(width).toBe(1280);
      expect(colours).toBeGreaterThan(8); // a blank page is one colour
      expect([...dom.matchAll(rowPattern)].map((m) => m[1]).sort()).toEqual([...SERVICES].sort());
      expect(dom).not.toMatch(EXTERNAL);
    },
    200_000,
  );

  it('summary --runs lists the kept runs; --open prints the timeline; keepRuns drops the oldest', async () => {
    const runs = await setup.ws.cli(['summary', '--runs']);
    expect(runs.exitCode, runs.all).toBe(0);
    expect(runs.stdout.split('\n').filter((l) => /services:/.test(l))).toHaveLength(2);
    const open = await setup.ws.cli(['summary', '--open']);
    expect(open.stdout.split('\n')[0]).toBe(join(logs(), 'timeline-dev.html'));
    const before = runFiles();
    await push(); // nothing changed; keepRuns: 2
    const after = runFiles();
    expect(after).toHaveLength(4);
    expect(after).not.toContain(before[0]);
  }, 200_000);
});
