/**
 * What is different from an earlier run, per service: failed or fixed, built or unchanged,
 * whether the digest moved, how build and push time changed, how much came from the cache.
 * Pure: two runs in, one value out; the terminal and Markdown renderings read that value.
 */
import { OUTCOME_TABLE, type SummaryRow } from '@imagefleet/report';

type RowStatus = SummaryRow['status'];
import type { RunRecord } from './types.js';

export type Change =
  | 'newly-failed'
  | 'still-failed'
  | 'fixed'
  | 'newly-built'
  | 'rebuilt'
  | 'newly-unchanged'
  | 'unchanged'
  | 'new'
  | 'gone';

export interface ServiceComparison {
  service: string;
  change: Change;
  status: RowStatus | '';
  previousStatus: RowStatus | '';
  /** Both runs have a digest and they differ. */
  digestChanged: boolean;
  buildSeconds: number;
  previousBuildSeconds: number;
  /** Now over then, when both built; else null. */
  buildRatio: number | null;
  pushSeconds: number;
  previousPushSeconds: number;
  pushRatio: number | null;
  /** Build or push took at least `slowerThan` times as long, and at least `minSeconds` more. */
  slower: boolean;
  cacheSteps: number;
  cachedSteps: number;
  previousCacheSteps: number;
  previousCachedSteps: number;
}

export interface RunComparison {
  runId: string;
  previousRunId: string;
  wallSeconds: number;
  previousWallSeconds: number;
  /** Now over then; null when the earlier run has no wall time. */
  wallRatio: number | null;
  /** The slower services first (largest ratio first), then by change, then by name. */
  services: ServiceComparison[];
}

export interface CompareOptions {
  /** @default 1.5 */
  slowerThan?: number;
  /** Differences smaller than this are noise, never "slower". @default 1 */
  minSeconds?: number;
}

const CHANGE_ORDER: readonly Change[] = [
  'newly-failed',
  'still-failed',
  'fixed',
  'newly-built',
  'rebuilt',
  'new',
  'gone',
  'newly-unchanged',
  'unchanged',
];

export function compareRuns(current: RunRecord, previous: RunRecord, opts: CompareOptions = {}): RunComparison {
  const slowerThan = opts.slowerThan ?? 1.5;
  const minSeconds = opts.minSeconds ?? 1;
  const now = new Map(current.rows.map((r) => [r.service, r]));
  const then = new Map(previous.rows.map((r) => [r.service, r]));
  const names = [...new Set([...now.keys(), ...then.keys()])];
  const services = names.map((name) => compareService(now.get(name), then.get(name), name, slowerThan, minSeconds));
  services.sort(
    (a, b) =>
      Number(b.slower) - Number(a.slower) ||
      (b.slower ? worst(b) - worst(a) : 0) ||
      CHANGE_ORDER.indexOf(a.change) - CHANGE_ORDER.indexOf(b.change) ||
      (a.service < b.service ? -1 : a.service > b.service ? 1 : 0),
  );
  return {
    runId: current.runId,
    previousRunId: previous.runId,
    wallSeconds: current.wallSeconds,
    previousWallSeconds: previous.wallSeconds,
    wallRatio: previous.wallSeconds > 0 ? round2(current.wallSeconds / previous.wallSeconds) : null,
    services,
  };
}

function compareService(
  now: SummaryRow | undefined,
  then: SummaryRow | undefined,
  service: string,
  slowerThan: number,
  minSeconds: number,
): ServiceComparison {
  const buildRatio = ratio(now?.buildSeconds, then?.buildSeconds);
  const pushRatio = ratio(now?.pushSeconds, then?.pushSeconds);
  const isSlower = (r: number | null, a = 0, b = 0) => r !== null && r >= slowerThan && a - b >= minSeconds;
  return {
    service,
    change: changeOf(now, then),
    status: now?.status ?? '',
    previousStatus: then?.status ?? '',
    digestChanged: Boolean(now?.digest && then?.digest && now.digest !== then.digest),
    buildSeconds: now?.buildSeconds ?? 0,
    previousBuildSeconds: then?.buildSeconds ?? 0,
    buildRatio,
    pushSeconds: now?.pushSeconds ?? 0,
    previousPushSeconds: then?.pushSeconds ?? 0,
    pushRatio,
    slower:
      isSlower(buildRatio, now?.buildSeconds, then?.buildSeconds) ||
      isSlower(pushRatio, now?.pushSeconds, then?.pushSeconds),
    cacheSteps: now?.cacheSteps ?? 0,
    cachedSteps: now?.cachedSteps ?? 0,
    previousCacheSteps: then?.cacheSteps ?? 0,
    previousCachedSteps: then?.cachedSteps ?? 0,
  };
}

function changeOf(now: SummaryRow | undefined, then: SummaryRow | undefined): Change {
  if (!then) return 'new';
  if (!now) return 'gone';
  const ok = OUTCOME_TABLE[now.status].ok;
  const wasOk = OUTCOME_TABLE[then.status].ok;
  if (!ok) return wasOk ? 'newly-failed' : 'still-failed';
  if (!wasOk) return 'fixed';
  if (now.status === 'pushed') return then.status === 'pushed' ? 'rebuilt' : 'newly-built';
  return then.status === 'pushed' ? 'newly-unchanged' : 'unchanged';
}

/** Services this run built (pushed a new image): what a one-service change should name alone. */
export function builtServices(comparison: RunComparison): string[] {
  return comparison.services
    .filter((s) => s.status === 'pushed')
    .map((s) => s.service)
    .sort();
}

function ratio(now: number | undefined, then: number | undefined): number | null {
  return now && then && now > 0 && then > 0 ? round2(now / then) : null;
}

function worst(s: ServiceComparison): number {
  return Math.max(s.buildRatio ?? 0, s.pushRatio ?? 0);
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
