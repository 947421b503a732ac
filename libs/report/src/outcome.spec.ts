import { describe, expect, it } from 'vitest';
import { exitCodeOf, outcomeColumns, outcomeLine, type Outcome, type OutcomeKind } from './outcome.js';

const DIGEST = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

describe('outcomeColumns: the row of each outcome', () => {
  it.each<[Outcome, ReturnType<typeof outcomeColumns>]>([
    [
      { kind: 'pushed', digest: DIGEST },
      { status: 'pushed', phase: '', error: '' },
    ],
    [
      { kind: 'unchanged', digest: DIGEST },
      { status: 'unchanged', phase: '', error: '' },
    ],
    [
      { kind: 'failed', phase: 'verify', reason: 'missing-blob sha256:ab' },
      { status: 'failed', phase: 'verify', error: 'missing-blob sha256:ab' },
    ],
    [
      { kind: 'skipped', bases: [{ service: 'base', kind: 'failed' }] },
      { status: 'skipped', phase: '', error: 'not run: an image it builds FROM (base) failed' },
    ],
    [
      {
        kind: 'skipped',
        bases: [
          { service: 'tools', kind: 'busy' },
          { service: 'base', kind: 'failed' },
          { service: 'libs', kind: 'failed' },
        ],
      },
      {
        status: 'skipped',
        phase: '',
        error:
          'not run: an image it builds FROM (base, libs) failed; an image it builds FROM (tools) is being pushed by another run',
      },
    ],
    [
      { kind: 'interrupted', phase: null },
      { status: 'interrupted', phase: '', error: 'interrupted before it started' },
    ],
    [
      { kind: 'interrupted', phase: 'push' },
      { status: 'interrupted', phase: 'push', error: 'interrupted during push' },
    ],
    [
      { kind: 'busy', pids: [41, 42] },
      {
        status: 'busy',
        phase: '',
        error: 'another run (pid 41, 42) is pushing api right now: wait for it to end, or stop it',
      },
    ],
    [{ kind: 'busy', pids: [] }, expect.objectContaining({ error: expect.stringContaining('(pid ?)') })],
  ])('%j', (outcome, columns) => {
    expect(outcomeColumns(outcome, 'api')).toEqual(columns);
  });
});

describe('outcomeLine: the terminal line', () => {
  it.each<[Outcome, string]>([
    [{ kind: 'pushed', digest: DIGEST }, `pushed ${DIGEST}`],
    [
      { kind: 'failed', phase: 'artifacts', reason: 'ENOSPC: no space left on device' },
      'failed (artifacts): ENOSPC: no space left on device',
    ],
    [{ kind: 'busy', pids: [7] }, 'busy: another run (pid 7) is pushing api right now: wait for it to end, or stop it'],
    [
      { kind: 'skipped', bases: [{ service: 'b', kind: 'skipped' }] },
      'skipped: not run: an image it builds FROM (b) was not run',
    ],
  ])('%j → %s', (outcome, line) => {
    expect(outcomeLine(outcome, 'api')).toBe(line);
  });
});

describe('exitCodeOf', () => {
  it.each<[OutcomeKind[], number]>([
    [[], 0],
    [['pushed', 'unchanged', 'built'], 0],
    [['pushed', 'skipped'], 1],
    [['busy'], 1],
    [['failed', 'interrupted', 'pushed'], 130],
  ])('%j → %i', (kinds, code) => {
    expect(exitCodeOf(kinds)).toBe(code);
  });
});
