export type { RowStatus, Phase, SummaryRow, SummaryOptions, SummaryJson } from './types.js';
export { ROW_STATUSES, PHASES } from './types.js';
export { summaryRowSchema, parseRow, normaliseRow, oneLine, rowTime, InvalidRowError, SERVICE_NAME } from './row.js';
export { writeFileAtomic, isTempFile } from './atomic.js';
export { renderCsv, parseCsv, CSV_COLUMNS, CSV_HEADERS } from './csv.js';
export { renderTable, formatTotals, shortDigest, TABLE_ERROR_WIDTH } from './table.js';
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
