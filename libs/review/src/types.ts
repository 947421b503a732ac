/**
 * A run as the history keeps it (`artifacts/image-build-logs/runs/<run-id>.json`): what the
 * pipeline hands over when a push run ends — its rows, and for each service the phases it went
 * through on the run's time axis. The rows alone are also kept as `runs/<run-id>.csv`.
 */
export type { PhaseName, PhaseSpan, RunRecord, ServiceTimeline } from '@imagefleet/pipeline';
export { PHASE_NAMES } from '@imagefleet/pipeline';
