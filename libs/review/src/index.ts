/** Reviewing runs: the history of rows, a comparison against an earlier run, the timeline and trend pages. */
export {};
