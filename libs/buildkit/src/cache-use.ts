/**
 * How much of a build BuildKit took from its cache, read from its plain progress output (the
 * docker driver's and buildx's are the same format): each Dockerfile step is a vertex
 * `#N [stage i/n] INSTRUCTION`, and a step served from the cache says `#N CACHED`. A `FROM` is
 * resolved, never run nor cached, so it is not a step here; `[internal]` vertices neither.
 */

export interface CacheUse {
  /** Dockerfile steps BuildKit had to do (run or take from the cache). */
  steps: number;
  /** Of those, the ones it took from the cache. */
  cached: number;
}

const STEP = /^#(\d+) \[(?:[^\]\s]+ )?\d+\/\d+\] (\S+)/;
const CACHED = /^#(\d+) CACHED\s*$/;

/** Count from the raw progress text (stderr of `docker build --progress=plain`). */
export function countCacheUse(progress: string): CacheUse {
  const steps = new Set<string>();
  const cached = new Set<string>();
  for (const line of progress.split(/\r?\n/)) {
    const step = STEP.exec(line);
    if (step) {
      if (step[2]!.toUpperCase() !== 'FROM') steps.add(step[1]!);
      continue;
    }
    const hit = CACHED.exec(line);
    if (hit) cached.add(hit[1]!);
  }
  return { steps: steps.size, cached: [...cached].filter((id) => steps.has(id)).length };
}
