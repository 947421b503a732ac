/**
 * One row of the build summary: what one Nx task (one service) did in one run. The same values
 * fill the CSV, the JSON, the Markdown job summary and the terminal table.
 */

import type { OutcomeKind, Phase } from './outcome.js';

export interface SummaryRow {
  /** Identifies the run; a row whose runId differs belongs to another run. */
  runId: string;
  /** Nx project / service name: also the row file name, so letters, digits, `.`, `_`, `-`. */
  service: string;
  /** Full reference `<host>/<ns>/<svc>:<tag>`. */
  image: string;
  /** The service's outcome (see `outcome.ts`): `pushed`, `unchanged`, `failed`, `skipped`, `busy`, `interrupted`. */
  status: OutcomeKind;
  /** The failed (or interrupted) phase, `''` when ok or never started. */
  phase: Phase | '';
  /** Push attempts. */
  attempts: number;
  /** Seconds, 0 when not run; rounded to 2 decimals when recorded. */
  buildSeconds: number;
  pushSeconds: number;
  verifySeconds: number;
  /** Verified manifest digest (`sha256:…`) or `''`. */
  digest: string;
  /** `'verified' | 'missing-manifest' | 'missing-blob' | 'digest-mismatch' | 'unauthorized' | 'unreachable' | ''` */
  verify: string;
  /** Log path relative to the workspace root. */
  log: string;
  /** One line, `''` when ok (newlines are collapsed to spaces when recorded). */
  error: string;
  /** ISO 8601; `''` for a service that never started (e.g. its base image failed). */
  startedAt: string;
  /** ISO 8601, `''` while running. */
  finishedAt: string;
  /**
   * What a person should know about a row that is not an error, one line, `''` when nothing:
   * e.g. `reference host not checked: k3d-ameide.localhost does not resolve from this machine …`.
   */
  note: string;
  /** Every tag the image was set and verified under (templates rendered), space-separated; `''` when none verified. */
  tags: string;
}

/** What a row says besides its outcome: filled in as the service runs. */
export type RowFacts = Omit<SummaryRow, 'status' | 'phase' | 'error'>;

/** Which summary files to write: `build-summary-<tag>.{csv,json,md}`. */
export interface SummaryOptions {
  /** Image tag of the run, e.g. `'dev'`. */
  tag: string;
}

/** Contents of `build-summary-<tag>.json`. */
export interface SummaryJson {
  generatedAt: string;
  runId: string;
  tag: string;
  rows: SummaryRow[];
}
