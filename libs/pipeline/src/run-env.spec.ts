import { describe, expect, it } from 'vitest';
import type { Manifest } from '@imagefleet/manifest';
import { decodeSettled, encodeSettled, WRAPPED_ENV } from './run-env.js';
import { startNxRun } from './nx-run.js';

describe('settled services in the environment', () => {
  it('round-trips, and reads what imagefleet-task.sh matches on', () => {
    const settled = new Map([
      ['web', 'sha256:aa'],
      ['web-api', 'sha256:bb'],
    ]);
    const value = encodeSettled(settled);
    expect(value).toBe('web=sha256:aa web-api=sha256:bb');
    expect(decodeSettled(value)).toEqual(settled);
    expect(decodeSettled(undefined)).toEqual(new Map());
    expect(decodeSettled('  garbage =x ')).toEqual(new Map());
  });
});

describe('startNxRun', () => {
  const manifest = { services: [{ name: 'web', dependsOn: [] }] } as unknown as Manifest;
  it.each([
    ['a run without push', ['run-many', '-t', 'image'], {}],
    ['a run imagefleet run owns', ['run-many', '-t', 'push'], { [WRAPPED_ENV]: '1' }],
  ])('%s: sets nothing, settles nothing', async (_name, args, env) => {
    expect(await startNxRun(manifest, args, { hookId: 'x', env })).toEqual({ env: {}, runId: null, services: null });
  });
});
