/** Reviewing runs: the history of rows, a comparison against an earlier run, the timeline and trend pages. */
export type { PhaseName, PhaseSpan, ServiceTimeline, RunRecord } from './types.js';
export { PHASE_NAMES } from './types.js';
export { parseRunRecord, recordFromRows, RUN_ID } from './run-record.js';
export { runsToDrop, byStart, type RunStamp } from './retention.js';
export { recordRun, listRuns, resolveRun, RUNS_DIR, type RecordRunResult } from './history.js';
export {
  compareRuns,
  builtServices,
  type Change,
  type CompareOptions,
  type RunComparison,
  type ServiceComparison,
} from './compare.js';
export { parseFailOn, gateFailures, type FailOn } from './gate.js';
export { renderComparisonTable, renderComparisonMarkdown, renderRunList } from './render-comparison.js';
export { layoutTimeline, tickSeconds, type TimelineLayout, type TimelineRow, type TimelineBar } from './timeline.js';
export { criticalPath, serviceEnds } from './critical-path.js';
export { renderTimeline } from './render-timeline.js';
export { serviceTrends, median, type ServiceTrend } from './trend.js';
export { renderTrend } from './render-trend.js';
export { timelineFileName, HISTORY_PAGE, reviewMarkdownFileName } from './file-names.js';
export { writeRunReview, type RunReviewFiles } from './write-review.js';
