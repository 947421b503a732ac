/** "Did you mean" and "rename to" helpers for messages that say how to fix the problem. */

/** Edit distance (insert, delete, substitute), for near-miss names. */
export function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitute));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Case, `_` and `-` differences are the usual slips, so they cost nothing. */
const fold = (name: string): string => name.toLowerCase().replace(/_/g, '-');

/** The candidate nearest to `name`, if one is near enough to be a likely typo. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; score: number } | undefined;
  for (const candidate of candidates) {
    const score = distance(fold(name), fold(candidate));
    if (!best || score < best.score) best = { candidate, score };
  }
  const tolerance = Math.max(1, Math.floor(name.length / 4));
  return best && best.score <= tolerance ? best.candidate : undefined;
}

/** `Www_Ameide` → `www-ameide`: lower case, runs of anything else become one hyphen. */
export function toServiceName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** `1.0.0+build` → `1.0.0-build`: characters a tag cannot hold become `-`. */
export function toTag(tag: string): string {
  return tag
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128);
}

/** `git-token` → `GIT_TOKEN`. */
export function toSecretName(name: string): string {
  const upper = name.toUpperCase().replace(/[^A-Z0-9_]+/g, '_');
  return /^[0-9]/.test(upper) ? `_${upper}` : upper;
}

/** `a, b, c` — or the first few and a count, so a message stays on one scannable line. */
export function listOf(items: readonly string[], max = 8): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} (and ${items.length - max} more)` : shown;
}
