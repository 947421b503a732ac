/**
 * The `jobs` option, checked by the executor rather than by its schema: Nx checks schema options
 * in its batch worker outside any `try`, so `nx run-many -t push --jobs=0` died there with an
 * unhandled rejection and a stack. An error thrown by the batch itself is printed by Nx as its
 * message alone, and the run exits 1 before any task starts (no rows).
 */

/** A whole number of builds at once, 1 or more; undefined when not given. */
export function jobsOption(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^[1-9]\d{0,3}$/.test(text))
    throw new Error(`--jobs must be a whole number of builds at once (1 or more), got "${text}"`);
  return Number(text);
}
