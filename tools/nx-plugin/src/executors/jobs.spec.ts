import { describe, expect, it } from 'vitest';
import { jobsOption } from './jobs.js';

describe('jobsOption', () => {
  it.each([
    [undefined, undefined],
    [1, 1],
    ['4', 4],
    [64, 64],
  ])('%j → %j', (value, jobs) => expect(jobsOption(value)).toBe(jobs));

  it.each([0, -1, 'abc', 1.5, '', '4x', true])('refuses %j in one line naming the flag and the value', (value) => {
    expect(() => jobsOption(value)).toThrow(
      new Error(`--jobs must be a whole number of builds at once (1 or more), got "${String(value)}"`),
    );
  });
});
