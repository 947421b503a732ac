import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { countCacheUse } from './cache-use.js';

// Captured from `DOCKER_BUILDKIT=1 docker build --progress=plain` on dev-env's engines (Docker 28; dockerd 20.10).
const fixture = (name: string) => readFileSync(new URL(`./fixtures/progress/${name}`, import.meta.url), 'utf8');

describe('countCacheUse', () => {
  test.each([
    ['copy-cold.txt', { steps: 3, cached: 0 }],
    ['copy-two-cached.txt', { steps: 3, cached: 2 }],
    ['run-cold.txt', { steps: 4, cached: 0 }],
    // FROM is resolved (and printed twice under one vertex), never a step.
    ['multi-stage-cold.txt', { steps: 3, cached: 0 }],
    ['multi-stage-warm.txt', { steps: 3, cached: 3 }],
    // dockerd 20.10's BuildKit prints each vertex's digest under it too.
    ['dockerd-20.10-run-warm.txt', { steps: 4, cached: 4 }],
  ])('%s', (name, expected) => {
    expect(countCacheUse(fixture(name))).toEqual(expected);
  });

  test('no progress (a builder that printed nothing) counts nothing', () => {
    expect(countCacheUse('')).toEqual({ steps: 0, cached: 0 });
  });

  test('a CACHED line of a vertex that is no step ([internal]) is not counted', () => {
    expect(countCacheUse('#1 [internal] load metadata\n#1 CACHED\n#2 [1/1] COPY a /a\n#2 DONE 0.0s\n')).toEqual({
      steps: 1,
      cached: 0,
    });
  });
});
