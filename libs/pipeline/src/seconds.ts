/** Milliseconds as seconds with two decimals, as rows and lines show them. */
export function seconds(ms: number): number {
  return Math.round(ms / 10) / 100;
}
