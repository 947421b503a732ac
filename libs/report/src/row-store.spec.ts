import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';
import { normaliseRow } from './row.js';
import { readRows, recordRow } from './row-store.js';
import { makeRow } from './fixtures/rows.js';
import type { SummaryJson, SummaryRow } from './types.js';

const run = promisify(execFile);
const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));
/**
 * The worker, bundled once into plain JavaScript: 24 processes booting through the tsx loader
 * at once cost tens of seconds of CPU on a shared 2-core machine; plain node a quarter of it.
 */
let worker: string;
let workerDir: string;
beforeAll(async () => {
  workerDir = await mkdtemp(join(tmpdir(), 'record-row-worker-'));
  worker = join(workerDir, 'record-row-worker.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./fixtures/record-row-worker.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: worker,
    // fast-csv is CommonJS: give the ES module bundle a require() of its own.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
});
afterAll(() => rm(workerDir, { recursive: true, force: true }));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'row-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const svc = (i: number) => `svc-${String(i).padStart(2, '0')}`;

describe('recordRow from 24 processes at once', () => {
  it('keeps exactly one whole row per service in CSV, JSON and Markdown', async () => {
    // 20 processes, one service each, recording a first row and then the final one; 4 more
    // processes race the first 4 services with a competing final row.
    const finals = new Map<string, SummaryRow[]>();
    const jobs: string[][] = [];
    for (let i = 0; i < 20; i++) {
      const service = svc(i);
      const running = makeRow({ service, status: 'interrupted', digest: '', verify: '', finishedAt: '' });
      const final = makeRow({
        service,
        error: `worker ${i}: "quoted", comma,\nnewline`,
        status: i % 5 === 0 ? 'failed' : 'pushed',
      });
      finals.set(service, [final]);
      jobs.push([JSON.stringify(running), JSON.stringify(final)]);
    }
    for (let i = 0; i < 4; i++) {
      const rival = makeRow({ service: svc(i), status: 'unchanged', attempts: 7, error: `rival ${i}, "x"` });
      finals.get(svc(i))!.push(rival);
      jobs.push([JSON.stringify(rival)]);
    }
    await Promise.all(jobs.map((rows) => run(process.execPath, [worker, dir, 'dev', ...rows], { cwd: workspaceRoot })));

    const csvText = await readFile(join(dir, 'build-summary-dev.csv'), 'utf8');
    expect(csvText.split('\n')).toHaveLength(22); // header + 20 rows + '' after the final newline
    const csv = await parseCsv(csvText);
    expect(csv.map((r) => r.service)).toEqual(Array.from({ length: 20 }, (_, i) => svc(i)));
    for (const row of csv) {
      // Whole, and the final row of its service (never the earlier 'running' one).
      expect(finals.get(row.service)!.map(normaliseRow)).toContainEqual(row);
    }

    const json = JSON.parse(await readFile(join(dir, 'build-summary-dev.json'), 'utf8')) as SummaryJson;
    expect(json.rows).toEqual(csv);
    expect(json.runId).toBe('run-1');
    expect(await readRows(dir)).toEqual(csv);

    const md = await readFile(join(dir, 'build-summary-dev.md'), 'utf8');
    const mdServices = md
      .split('\n')
      .filter((l) => /^\| svc-/.test(l))
      .map((l) => l.split(' | ')[0]!.slice(2));
    expect(mdServices).toEqual(csv.map((r) => r.service));
    const unchanged = csv.filter((r) => r.status === 'unchanged').length;
    const failed = csv.filter((r) => r.status === 'failed').length;
    const parts = [
      `${20 - unchanged - failed} pushed`,
      unchanged ? `${unchanged} unchanged` : '',
      failed ? `${failed} failed` : '',
    ];
    expect(md).toContain(`**20 services: ${parts.filter(Boolean).join(', ')}**`);

    // Nothing left behind: no temp files, no lock.
    expect((await readdir(dir)).sort()).toEqual([
      '.rows',
      'build-summary-dev.csv',
      'build-summary-dev.json',
      'build-summary-dev.md',
    ]);
    expect((await readdir(join(dir, '.rows'))).sort()).toEqual(csv.map((r) => `${r.service}.json`));
    // 24 Node processes on a shared 2-core machine: seconds, not milliseconds.
  }, 120_000);
});

describe('recordRow and readRows across runs', () => {
  const t = (minute: number) => `2025-01-02T03:${String(minute).padStart(2, '0')}:00.000Z`;
  const row = (service: string, runId: string, minute: number) =>
    makeRow({ service, runId, startedAt: t(minute), finishedAt: t(minute + 1) });

  it('never shows an older run’s row as this run’s', async () => {
    await recordRow(dir, row('api', 'run-1', 0), { tag: 'dev' });
    await recordRow(dir, row('web', 'run-1', 0), { tag: 'dev' });
    const result = await recordRow(dir, row('api', 'run-2', 10), { tag: 'dev' });

    expect(result).toMatchObject({ outcome: 'recorded', runId: 'run-2' });
    expect(result.rows.map((r) => [r.service, r.runId])).toEqual([['api', 'run-2']]);
    const csv = await parseCsv(await readFile(result.files.csv, 'utf8'));
    expect(csv.map((r) => [r.service, r.runId])).toEqual([['api', 'run-2']]);
    expect((await readRows(dir)).map((r) => r.runId)).toEqual(['run-2']);
    expect((await readRows(dir, { runId: 'run-1' })).map((r) => r.service)).toEqual(['web']);
    expect((await readRows(dir, { allRuns: true })).map((r) => [r.service, r.runId])).toEqual([
      ['api', 'run-2'],
      ['web', 'run-1'],
    ]);
  });

  it('does not let a straggler of an older run overwrite a newer run’s row', async () => {
    await recordRow(dir, row('api', 'run-2', 10), { tag: 'dev' });
    const late = await recordRow(dir, { ...row('api', 'run-1', 0), status: 'failed', error: 'late' }, { tag: 'dev' });
    expect(late).toMatchObject({ outcome: 'superseded', runId: 'run-2' });
    expect(await readRows(dir, { allRuns: true })).toEqual([normaliseRow(row('api', 'run-2', 10))]);
  });

  it('never lets a "never started" row replace the row a task of the same run wrote', async () => {
    await recordRow(dir, { ...row('api', 'run-1', 5), status: 'interrupted', phase: 'build' }, { tag: 'dev' });
    const filler = await recordRow(
      dir,
      { ...row('api', 'run-1', 0), startedAt: '', status: 'interrupted', error: 'interrupted before it started' },
      { tag: 'dev' },
    );
    expect(filler.outcome).toBe('superseded');
    expect((await readRows(dir)).map((r) => [r.phase, r.error])).toEqual([['build', '']]);
    // …while the task's own row replaces a filler that landed first.
    await recordRow(
      dir,
      { ...row('web', 'run-1', 0), startedAt: '', status: 'interrupted', error: 'interrupted before it started' },
      { tag: 'dev' },
    );
    await recordRow(dir, { ...row('web', 'run-1', 6), status: 'interrupted', phase: 'push' }, { tag: 'dev' });
    expect((await readRows(dir, { runId: 'run-1' })).find((r) => r.service === 'web')!.phase).toBe('push');
  });

  it('replaces the row of the same run, whatever its times say', async () => {
    await recordRow(dir, { ...row('api', 'run-1', 5), status: 'pushed' }, { tag: 'dev' });
    await recordRow(dir, { ...row('api', 'run-1', 0), status: 'failed' }, { tag: 'dev' });
    expect((await readRows(dir)).map((r) => r.status)).toEqual(['failed']);
  });

  it('orders a service that never started by its finish time', async () => {
    await recordRow(dir, row('api', 'run-1', 0), { tag: 'dev' });
    const notRun = {
      ...row('web', 'run-2', 0),
      startedAt: '',
      finishedAt: t(30),
      status: 'skipped' as const,
      phase: '' as const,
    };
    const result = await recordRow(dir, notRun, { tag: 'dev' });
    expect(result.runId).toBe('run-2');
    expect(result.rows.map((r) => r.service)).toEqual(['web']);
  });

  it('two overlapping runs: the busy row of the run that found the service taken never hides the row of the run that pushed it', async () => {
    const busy = (service: string, minute: number) => ({
      ...row(service, 'run-b', minute),
      startedAt: '',
      status: 'busy' as const,
      error: `another run (pid 42) is pushing ${service} right now: wait for it to end, or stop it`,
    });
    // The loser's row lands first (it gave up at once), then the winner's, which started earlier.
    await recordRow(dir, busy('api', 3), { tag: 'dev' });
    const won = await recordRow(dir, row('api', 'run-a', 0), { tag: 'dev' });
    expect(won).toMatchObject({ outcome: 'recorded', runId: 'run-a' });
    // …and the other way round: the winner's row is there when the loser's arrives.
    await recordRow(dir, row('web', 'run-a', 1), { tag: 'dev' });
    const lost = await recordRow(dir, busy('web', 4), { tag: 'dev' });
    expect(lost).toMatchObject({ outcome: 'superseded', runId: 'run-a' });
    expect(lost.rows.map((r) => [r.service, r.runId, r.status])).toEqual([
      ['api', 'run-a', 'pushed'],
      ['web', 'run-a', 'pushed'],
    ]);
    const csv = await parseCsv(await readFile(lost.files.csv, 'utf8'));
    expect(csv.map((r) => r.status)).toEqual(['pushed', 'pushed']);
  });

  it('overlapping runs: a row of a run that never started the service and one of a run that did — the later end stays', async () => {
    const skipped = (minute: number) => ({
      ...row('app', 'run-b', minute),
      startedAt: '',
      status: 'skipped' as const,
      error: 'not run: an image it builds FROM (base) is being pushed by another run',
    });
    // run-b gave up on app (its base was busy) at minute 2; run-a, which had started app at
    // minute 1, ended it at minute 5: run-a's row stays, whichever is recorded first.
    await recordRow(dir, { ...row('app', 'run-a', 1), finishedAt: t(5) }, { tag: 'dev' });
    expect((await recordRow(dir, skipped(1), { tag: 'dev' })).outcome).toBe('superseded');
    await recordRow(dir, row('web', 'run-b', 0), { tag: 'dev' });
    // A later run that skips it replaces it.
    expect((await recordRow(dir, skipped(9), { tag: 'dev' })).outcome).toBe('recorded');
  });

  it('overlapping runs that split the services: the summary shows the row of the run that had each one', async () => {
    // run-a had app (minute 1 to 6); run-b started later, had base, and found app busy.
    await recordRow(dir, { ...row('app', 'run-a', 1), finishedAt: t(6) }, { tag: 'dev' });
    await recordRow(dir, row('base', 'run-b', 2), { tag: 'dev' });
    const result = await recordRow(
      dir,
      { ...row('app', 'run-b', 3), startedAt: '', status: 'busy', error: 'another run' },
      { tag: 'dev' },
    );
    expect(result.runId).toBe('run-b');
    expect(result.rows.map((r) => [r.service, r.runId, r.status])).toEqual([
      ['app', 'run-a', 'pushed'],
      ['base', 'run-b', 'pushed'],
    ]);
  });

  it('a busy row is written where the service has no row yet, and is the summary only when nothing else is', async () => {
    const result = await recordRow(
      dir,
      { ...row('api', 'run-b', 0), startedAt: '', status: 'busy', error: 'another run' },
      { tag: 'dev' },
    );
    expect(result).toMatchObject({ outcome: 'recorded', runId: 'run-b' });
    expect(result.rows.map((r) => r.status)).toEqual(['busy']);
  });

  it('names the summary files after the tag', async () => {
    const result = await recordRow(dir, row('api', 'run-1', 0), { tag: 'v2' });
    expect(result.files).toEqual({
      csv: join(dir, 'build-summary-v2.csv'),
      json: join(dir, 'build-summary-v2.json'),
      md: join(dir, 'build-summary-v2.md'),
    });
    for (const path of Object.values(result.files)) expect(existsSync(path)).toBe(true);
  });
});

describe('broken rows', () => {
  it('reports a row file that does not parse, with its path, instead of dropping it', async () => {
    await recordRow(dir, makeRow({ service: 'api' }), { tag: 'dev' });
    const broken = join(dir, '.rows', 'web.json');
    await writeFile(broken, '{"runId": "run-1", "serv');
    await expect(readRows(dir)).rejects.toThrow(`Invalid summary row in ${broken}: not JSON`);
    await expect(recordRow(dir, makeRow({ service: 'api' }), { tag: 'dev' })).rejects.toThrow(broken);
  });

  it('reports a row file whose content is not a row, naming the field', async () => {
    await mkdir(join(dir, '.rows'));
    const wrong = join(dir, '.rows', 'api.json');
    await writeFile(wrong, JSON.stringify({ ...makeRow(), attempts: 'three' }));
    await expect(readRows(dir)).rejects.toThrow(new RegExp(`${wrong}: attempts`));
  });

  it('reports a row file under another service’s name', async () => {
    await mkdir(join(dir, '.rows'));
    await writeFile(join(dir, '.rows', 'web.json'), JSON.stringify(makeRow({ service: 'api' })));
    await expect(readRows(dir)).rejects.toThrow('service "api" does not match the file name');
  });

  it('refuses an invalid row before writing anything', async () => {
    const bad = { ...makeRow(), status: 'done' } as unknown as SummaryRow;
    await expect(recordRow(dir, bad, { tag: 'dev' })).rejects.toThrow(/service "api": status/);
    await expect(recordRow(dir, makeRow({ service: '../etc' }), { tag: 'dev' })).rejects.toThrow(
      /service: letters, digits/,
    );
    await expect(recordRow(dir, makeRow(), { tag: 'a/b' })).rejects.toThrow('got "a/b"');
    expect(await readdir(dir)).toEqual([]);
  });
});
