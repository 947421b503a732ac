/**
 * When each service did what, for the timeline: spans of phases (waiting for a build slot,
 * building, waiting for a push slot, each push attempt, backing off, verifying, node pull) on
 * one axis from the run's start. Per run, created and dropped with it, on the run's clock.
 */
import type { ServiceRunShared } from '../service/push-service.js';

/** What a service was doing: each a bar on the timeline. */
export type PhaseName = 'check' | 'build-wait' | 'build' | 'push-wait' | 'push' | 'retry-wait' | 'verify' | 'node-pull';

export const PHASE_NAMES: readonly PhaseName[] = [
  'check',
  'build-wait',
  'build',
  'push-wait',
  'push',
  'retry-wait',
  'verify',
  'node-pull',
];

export interface PhaseSpan {
  phase: PhaseName;
  /** Seconds from the run's start. */
  start: number;
  /** Seconds from the run's start, `>= start`. */
  end: number;
  /** Push attempt (1-based), for `push-wait`, `push` and `retry-wait`. */
  attempt?: number;
  /** How the span ended when not plainly: `stalled`, `failed: …`, `unfinished`. */
  note?: string;
}

export interface PhaseTimer {
  /** Close the span; `note` says how it ended when not plainly (`stalled`, `failed: …`). Later calls do nothing. */
  end(note?: string): void;
}

export interface PhaseLog {
  /** Epoch milliseconds of the run's start: the axis' zero. */
  readonly origin: number;
  begin(service: string, phase: PhaseName, attempt?: number): PhaseTimer;
  /** Run `fn` as one span of `phase`. */
  timed<T>(service: string, phase: PhaseName, fn: () => Promise<T>): Promise<T>;
  /** Every service's spans, in the order they began; a span still open is closed now, noted `unfinished`. */
  spans(): Record<string, PhaseSpan[]>;
  /** The service ended: close its open spans now (a phase it failed in ends with it). */
  settle(service: string): void;
  now(): number;
}

/** @param clock the run's clock (`RunContext.clock.now`), so a fake clock makes every span exact. */
export function createPhaseLog(clock: () => number): PhaseLog {
  const origin = clock();
  const at = () => Math.round(clock() - origin) / 1000;
  const byService = new Map<string, { span: PhaseSpan; open: boolean }[]>();
  const log: PhaseLog = {
    origin,
    now: clock,
    begin(service, phase, attempt) {
      const entry = { span: { phase, start: at(), end: 0, ...(attempt ? { attempt } : {}) } as PhaseSpan, open: true };
      const list = byService.get(service) ?? [];
      list.push(entry);
      byService.set(service, list);
      return {
        end(note) {
          if (!entry.open) return;
          entry.open = false;
          entry.span.end = at();
          if (note) entry.span.note = note;
        },
      };
    },
    async timed(service, phase, fn) {
      const timer = log.begin(service, phase);
      try {
        return await fn();
      } finally {
        timer.end();
      }
    },
    settle(service) {
      const now = at();
      for (const entry of byService.get(service) ?? []) {
        if (entry.open) {
          entry.open = false;
          entry.span.end = now;
        }
      }
    },
    spans() {
      const now = at();
      return Object.fromEntries(
        [...byService].map(([service, list]) => [
          service,
          list.map(({ span, open }) => (open ? { ...span, end: now, note: 'unfinished' } : { ...span })),
        ]),
      );
    },
  };
  return log;
}

/** The run's limits as one service sees them, each wait and each run under a limit a span of its own. */
export function withPhases(shared: ServiceRunShared, phases: PhaseLog, service: string): ServiceRunShared {
  return {
    ...shared,
    checkSlot: (fn) => shared.checkSlot(() => phases.timed(service, 'check', fn)),
    buildSlot: (fn) => {
      const waiting = phases.begin(service, 'build-wait');
      return shared.buildSlot(() => {
        waiting.end();
        return phases.timed(service, 'build', fn);
      });
    },
  };
}
