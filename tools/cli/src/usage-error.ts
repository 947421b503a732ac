/** A bad command line: reported as one line plus the usage, exit 2. */
export class UsageError extends Error {}
