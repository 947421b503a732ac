export type { SummaryRow, RowFacts, SummaryOptions, SummaryJson } from './types.js';
export {
  OUTCOME_TABLE,
  OUTCOME_KINDS,
  PHASES,
  outcomeColumns,
  outcomeRow,
  outcomeReason,
  outcomeLine,
  exitCodeOf,
  type Outcome,
  type OutcomeKind,
  type Phase,
  type BaseNotDone,
  type NxTaskStatus,
} from './outcome.js';
export { summaryRowSchema, parseRow, normaliseRow, oneLine, rowTime, InvalidRowError, SERVICE_NAME } from './row.js';
export { writeFileAtomic, isTempFile } from './atomic.js';
export { renderCsv, parseCsv, CSV_COLUMNS, CSV_HEADERS } from './csv.js';
export { renderTable, formatTotals, shortDigest } from './table.js';
export { renderMarkdown, type MarkdownOptions } from './markdown.js';
export {
  renderSummary,
  summaryFileNames,
  sortRows,
  DOCKER_TAG,
  type SummaryFileNames,
  type RenderSummaryOptions,
} from './summary.js';
export {
  recordRow,
  recordRows,
  readRows,
  selectCurrentRun,
  ROWS_DIR,
  type RecordResult,
  type ReadRowsOptions,
} from './row-store.js';
export { openServiceLog, type ServiceLog, type ServiceLogOptions } from './service-log.js';
