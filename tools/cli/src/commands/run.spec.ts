import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { nxArguments, parallelCount } from './run.js';

describe('nxArguments', () => {
  it.each([
    [
      'push: one build+push task for exactly the changed services, their order kept, unchanged bases not re-run',
      'push',
      ['a', 'b'],
      undefined,
      ['run-many', '-t', 'push', '--excludeTaskDependencies', '--projects=a,b', '--parallel=100%', '--outputStyle=stream', '--skipNxCache'],
    ],
    ['verify with an explicit parallelism', 'verify', ['a'], '4', ['run-many', '-t', 'verify', '--projects=a', '--parallel=4', '--outputStyle=stream', '--skipNxCache']],
  ])('%s', (_name, target, projects, parallel, expected) => {
    expect(nxArguments(target, projects, { parallel })).toEqual(expected);
  });
});

describe('parallelCount', () => {
  it.each([
    ['3', 3],
    ['100%', availableParallelism()],
    ['50%', Math.max(1, Math.floor(availableParallelism() / 2))],
    ['0', 1],
    ['x', 1],
  ])('%s → %i', (value, expected) => {
    expect(parallelCount(value)).toBe(expected);
  });

  it('defaults to one build per core, like JOBS=$(nproc)', () => {
    expect(parallelCount(undefined)).toBe(availableParallelism());
  });
});
