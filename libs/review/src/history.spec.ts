import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { parseCsv, renderCsv } from '@imagefleet/report';
import { listRuns, recordRun, resolveRun } from './history.js';
import { row, run } from './testing/runs.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'review-history-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const nth = (n: number) =>
  run(
    `2026010${n}T000000Z-1`,
    [row({ service: 'api' }), row({ service: 'web' })],
    {},
    {
      startedAt: `2026-01-0${n}T00:00:00.000Z`,
    },
  );

describe('recordRun', () => {
  test('writes the run as JSON and CSV, and keeps the newest keepRuns', async () => {
    const dir = tempDir();
    for (const n of [1, 2, 3, 4]) await recordRun(dir, nth(n), 2);
    expect(readdirSync(join(dir, 'runs')).sort()).toEqual([
      '20260103T000000Z-1.csv',
      '20260103T000000Z-1.json',
      '20260104T000000Z-1.csv',
      '20260104T000000Z-1.json',
    ]);
    expect((await listRuns(dir)).map((r) => r.runId)).toEqual(['20260103T000000Z-1', '20260104T000000Z-1']);
    const csv = await parseCsv(
      await import('node:fs/promises').then((fs) => fs.readFile(join(dir, 'runs', '20260104T000000Z-1.csv'), 'utf8')),
    );
    expect(csv.map((r) => r.service)).toEqual(['api', 'web']);
  });

  test('refuses a run id that cannot name a file', async () => {
    await expect(recordRun(tempDir(), { ...nth(1), runId: '../x' }, 2)).rejects.toThrow('cannot name a file');
  });
});

describe('resolveRun', () => {
  test('previous, latest, an id, a run file, a summary CSV and JSON', async () => {
    const dir = tempDir();
    for (const n of [1, 2, 3]) await recordRun(dir, nth(n), 5);
    expect((await resolveRun(dir, 'previous')).runId).toBe('20260102T000000Z-1');
    expect((await resolveRun(dir, 'latest')).runId).toBe('20260103T000000Z-1');
    expect((await resolveRun(dir, '20260101T000000Z-1')).runId).toBe('20260101T000000Z-1');
    expect((await resolveRun(dir, join(dir, 'runs', '20260101T000000Z-1.json'))).wallSeconds).toBe(20);
    const csvFile = join(dir, 'summary.csv');
    writeFileSync(csvFile, await renderCsv(nth(2).rows));
    expect(await resolveRun(dir, csvFile)).toMatchObject({ runId: '20260102T000000Z-1', wallSeconds: 20 });
    const jsonFile = join(dir, 'summary.json');
    writeFileSync(jsonFile, JSON.stringify({ runId: 'x', tag: 'dev', generatedAt: '', rows: nth(2).rows }));
    expect((await resolveRun(dir, jsonFile)).rows).toHaveLength(2);
  });

  test('says what is missing, in one line', async () => {
    const dir = tempDir();
    await expect(resolveRun(dir, 'previous')).rejects.toThrow(/^no previous run in .*runs: 0 run\(s\) kept/);
    await expect(resolveRun(dir, 'nope')).rejects.toThrow('no run nope in');
    writeFileSync(join(dir, 'bad.json'), '{"rows": [{"service": "x"}]}');
    await expect(resolveRun(dir, join(dir, 'bad.json'))).rejects.toThrow(/bad\.json rows\.0/);
  });
});
