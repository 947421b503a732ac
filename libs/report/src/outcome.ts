/**
 * What happened to one service in one run, as one value, and the one table that turns it into
 * everything that shows it: the row's `status`/`phase`/`error`, the Nx task status, the
 * terminal line and the exit code. Nothing reads an outcome back from text: a row's `status`
 * is the outcome's kind, and the kind says everything the table needs.
 */
import type { RowFacts, SummaryRow } from './types.js';

/** Pipeline phases, in order. `artifacts`: imagefleet's own files (locks, logs, rows) could not be written. */
export type Phase = 'preflight' | 'secrets' | 'artifacts' | 'build' | 'push' | 'verify';

export const PHASES: readonly Phase[] = ['preflight', 'secrets', 'artifacts', 'build', 'push', 'verify'];

/** A base a service builds FROM that did not succeed in this run, and what happened to it. */
export interface BaseNotDone {
  service: string;
  kind: 'failed' | 'skipped' | 'busy';
}

export type Outcome =
  /** Built, pushed and verified (every manifest and blob), tags pointed at `digest`. */
  | { kind: 'pushed'; digest: string }
  /** Its content tag was in the registry and verified: nothing built or pushed. */
  | { kind: 'unchanged'; digest: string }
  /** The image target only: built locally, nothing pushed. */
  | { kind: 'built' }
  | { kind: 'failed'; phase: Phase; reason: string }
  /** Not run: an image it builds FROM did not succeed in this run. */
  | { kind: 'skipped'; bases: BaseNotDone[] }
  /** Stopped by a signal; `phase` is `null` when it had not started. */
  | { kind: 'interrupted'; phase: Phase | null }
  /** Another run holds the service (pids of the holders, when known): this run left it alone. */
  | { kind: 'busy'; pids: number[] };

export type OutcomeKind = Outcome['kind'];

/** A task's status as Nx's batch runner reads it. */
export type NxTaskStatus = 'success' | 'failure' | 'skipped' | 'stopped';

interface KindEntry {
  /** The run did what was asked of this service. */
  ok: boolean;
  nx: NxTaskStatus;
  /** The exit code this outcome asks for; a run exits with the highest of its services'. */
  exit: number;
}

/** The table. Its key order is the order of the totals line. */
export const OUTCOME_TABLE: Readonly<Record<OutcomeKind, KindEntry>> = {
  pushed: { ok: true, nx: 'success', exit: 0 },
  unchanged: { ok: true, nx: 'success', exit: 0 },
  built: { ok: true, nx: 'success', exit: 0 },
  failed: { ok: false, nx: 'failure', exit: 1 },
  skipped: { ok: false, nx: 'skipped', exit: 1 },
  busy: { ok: false, nx: 'failure', exit: 1 },
  interrupted: { ok: false, nx: 'stopped', exit: 130 },
};

export const OUTCOME_KINDS = Object.keys(OUTCOME_TABLE) as OutcomeKind[];

/** The row's `status`, `phase` and `error` of an outcome. */
export function outcomeColumns(
  outcome: Outcome,
  service: string,
): { status: OutcomeKind; phase: Phase | ''; error: string } {
  const phase = outcome.kind === 'failed' || outcome.kind === 'interrupted' ? (outcome.phase ?? '') : '';
  return { status: outcome.kind, phase, error: outcomeReason(outcome, service) };
}

/** A service's row: what it did (its facts) and how it ended. */
export function outcomeRow(facts: RowFacts, outcome: Outcome): SummaryRow {
  return { ...facts, ...outcomeColumns(outcome, facts.service) };
}

/** Why a service did not succeed, in one line; `''` when it did. */
export function outcomeReason(outcome: Outcome, service: string): string {
  switch (outcome.kind) {
    case 'pushed':
    case 'unchanged':
    case 'built':
      return '';
    case 'failed':
      return outcome.reason;
    case 'skipped':
      return `not run: ${basesText(outcome.bases)}`;
    case 'interrupted':
      return outcome.phase ? `interrupted during ${outcome.phase}` : 'interrupted before it started';
    case 'busy':
      return `another run (pid ${outcome.pids.join(', ') || '?'}) is pushing ${service} right now: wait for it to end, or stop it`;
  }
}

/** The terminal's last line about a service: its outcome, then the digest or the reason. */
export function outcomeLine(outcome: Outcome, service: string): string {
  switch (outcome.kind) {
    case 'pushed':
      return `pushed ${outcome.digest}`;
    case 'unchanged':
      return `unchanged ${outcome.digest} (already in the registry, verified)`;
    case 'built':
      return 'built';
    case 'failed':
      return `failed (${outcome.phase}): ${outcome.reason}`;
    default:
      return `${outcome.kind}: ${outcomeReason(outcome, service)}`;
  }
}

/** The exit code of a run whose services ended so: 0 when every one is ok (and when there are none). */
export function exitCodeOf(kinds: Iterable<OutcomeKind>): number {
  let code = 0;
  for (const kind of kinds) code = Math.max(code, OUTCOME_TABLE[kind].exit);
  return code;
}

const BASE_WHY: Readonly<Record<BaseNotDone['kind'], string>> = {
  failed: 'failed',
  skipped: 'was not run',
  busy: 'is being pushed by another run',
};

/** `an image it builds FROM (base) failed; an image it builds FROM (tools) is being pushed by another run` */
function basesText(bases: readonly BaseNotDone[]): string {
  return (Object.entries(BASE_WHY) as [BaseNotDone['kind'], string][])
    .flatMap(([kind, why]) => {
      const names = bases.filter((b) => b.kind === kind).map((b) => b.service);
      return names.length ? [`an image it builds FROM (${names.join(', ')}) ${why}`] : [];
    })
    .join('; ');
}
