import { expect, test } from 'vitest';
import { runsToDrop } from './retention.js';

const at = (runId: string, second: number) => ({
  runId,
  startedAt: `2026-01-01T00:00:${String(second).padStart(2, '0')}.000Z`,
});

test.each([
  ['fewer than kept', [at('a', 1), at('b', 2)], 3, []],
  ['exactly kept', [at('a', 1), at('b', 2), at('c', 3)], 3, []],
  ['the oldest go, whatever the listing order', [at('c', 3), at('a', 1), at('d', 4), at('b', 2)], 2, ['a', 'b']],
  ['same start: the run id decides', [at('r-2', 5), at('r-1', 5), at('r-3', 5)], 1, ['r-1', 'r-2']],
  ['keep 0 still keeps the newest', [at('a', 1), at('b', 2)], 0, ['a']],
])('%s', (_, runs, keep, dropped) => {
  expect(runsToDrop(runs, keep)).toEqual(dropped);
});
