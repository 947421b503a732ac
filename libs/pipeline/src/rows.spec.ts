import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as report from '@imagefleet/report';
import { createRunRecorder, notStartedRow, rowFacts } from './rows.js';
import { workspacePaths } from './paths.js';
import { readDigestPins, type DigestPin } from './service/digests.js';
import { tempWorkspace, type TempWorkspace } from './testing/fakes.js';

vi.mock('@imagefleet/report', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@imagefleet/report')>();
  return { ...actual, recordRows: vi.fn(actual.recordRows) };
});
const recordRows = vi.mocked(report.recordRows);

let ws: TempWorkspace;
beforeEach(() => {
  recordRows.mockClear();
  ws = tempWorkspace(Array.from({ length: 20 }, (_, i) => ({ name: `svc-${String(i).padStart(2, '0')}` })));
});
afterEach(() => ws.remove());

const RUN = 'run-1';
const started = new Date().toISOString();
const digestOf = (i: number) => `sha256:${String(i).padStart(64, '0')}`;
const pushedRow = (i: number) =>
  report.outcomeRow(
    { ...rowFacts(ws.manifest, ws.manifest.services[i]!, RUN, started), digest: digestOf(i), finishedAt: started },
    { kind: 'pushed', digest: digestOf(i) },
  );
const pinOf = (i: number): { service: string; pin: DigestPin } => {
  const service = ws.manifest.services[i]!.name;
  return {
    service,
    pin: {
      ref: `localhost:5001/ameide/${service}@${digestOf(i)}`,
      digest: digestOf(i),
      tags: ['dev'],
      version: 'dev',
      revision: '',
      runId: RUN,
      verifiedAt: started,
    },
  };
};

describe('createRunRecorder', () => {
  it('twenty services ending at once: one row each on disk, in two summary writes, pins for the verified ones only', async () => {
    const recorder = createRunRecorder(ws.manifest);
    const failed = new Set([3, 7]);
    await Promise.all(
      ws.manifest.services.map((_, i) =>
        failed.has(i)
          ? recorder.record({ ...pushedRow(i), status: 'failed', phase: 'verify', digest: '', error: 'missing\nblob' })
          : recorder.record(pushedRow(i), pinOf(i)),
      ),
    );
    // The first record starts a write at once; the 19 that arrive while it is in flight share the next.
    expect(recordRows.mock.calls.map(([, rows]) => rows.length)).toEqual([1, 19]);
    const rows = await report.readRows(workspacePaths(ws.manifest).logs);
    expect(rows.map((r) => r.service)).toEqual(ws.manifest.services.map((s) => s.name));
    expect(rows.find((r) => r.service === 'svc-03')).toMatchObject({ status: 'failed', error: 'missing blob' });
    const pins = await readDigestPins(workspacePaths(ws.manifest).digests);
    expect(Object.keys(pins)).toEqual(ws.manifest.services.filter((_, i) => !failed.has(i)).map((s) => s.name));
    expect(pins['svc-00']).toEqual(pinOf(0).pin);
  });

  it('a record resolves only once its row is on disk', async () => {
    const recorder = createRunRecorder(ws.manifest);
    const rowsDir = join(workspacePaths(ws.manifest).logs, report.ROWS_DIR);
    const onDisk = await Promise.all(
      ws.manifest.services
        .slice(0, 5)
        .map((s, i) => recorder.record(pushedRow(i)).then(() => existsSync(join(rowsDir, `${s.name}.json`)))),
    );
    expect(onDisk).toEqual([true, true, true, true, true]);
  });

  it('a failed write rejects the records of its batch only; the next records are written', async () => {
    const recorder = createRunRecorder(ws.manifest);
    recordRows.mockRejectedValueOnce(new Error('ENOSPC: no space left on device'));
    const first = recorder.record(pushedRow(0));
    const second = recorder.record(pushedRow(1));
    await expect(first).rejects.toThrow('ENOSPC');
    await expect(second).resolves.toBeUndefined();
    await recorder.record(pushedRow(0));
    expect((await report.readRows(workspacePaths(ws.manifest).logs)).map((r) => r.service)).toEqual([
      'svc-00',
      'svc-01',
    ]);
  });
});

describe('notStartedRow', () => {
  it.each<[report.Outcome, string, string]>([
    [
      {
        kind: 'skipped',
        bases: [
          { service: 'base', kind: 'failed' },
          { service: 'tools', kind: 'failed' },
        ],
      },
      'skipped',
      'not run: an image it builds FROM (base, tools) failed',
    ],
    [{ kind: 'interrupted', phase: null }, 'interrupted', 'interrupted before it started'],
  ])('%o → %s', (outcome, status, error) => {
    const row = notStartedRow(ws.manifest, ws.manifest.services[0]!, RUN, outcome);
    expect(row).toMatchObject({
      status,
      phase: '',
      error,
      startedAt: '',
      attempts: 0,
      runId: RUN,
      image: 'localhost:5001/ameide/svc-00:dev',
      log: 'artifacts/image-build-logs/svc-00_dev.log',
    });
    expect(Date.parse(row.finishedAt)).not.toBeNaN();
  });
});
