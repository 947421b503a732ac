import { describe, expect, it } from 'vitest';
import { checkJobs, nxArguments } from './run.js';

describe('nxArguments', () => {
  it.each([
    [
      'push over the selected services',
      'push',
      ['a', 'b'],
      undefined,
      ['run-many', '-t', 'push', '--projects=a,b', '--outputStyle=stream'],
    ],
    [
      'with builds bounded',
      'push',
      ['a'],
      '4',
      ['run-many', '-t', 'push', '--projects=a', '--outputStyle=stream', '--jobs=4'],
    ],
  ])('%s', (_name, target, projects, jobs, expected) => {
    expect(nxArguments(target, projects, { jobs })).toEqual(expected);
  });
});

describe('checkJobs', () => {
  it.each(['1', '4', '64'])('accepts %s', (v) => expect(() => checkJobs(v)).not.toThrow());
  it.each(['abc', '0', '-1', '1.5', '', '4x'])('refuses %j with one line naming the flag', (v) => {
    expect(() => checkJobs(v)).toThrow(/^--jobs must be a whole number of builds at once \(1 or more\), got "/);
  });
});
