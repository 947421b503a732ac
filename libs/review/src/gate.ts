/**
 * `--fail-on slower:2x,failed,newly-failed`: a review is not a gate unless asked to be one.
 * Parsed once at the door; the reasons a comparison trips it are values the CLI prints.
 */
import { OUTCOME_TABLE } from '@imagefleet/report';
import type { RunComparison } from './compare.js';

export interface FailOn {
  /** Fail when a service's build or push took at least this many times as long. */
  slower: number | null;
  /** Fail when any service did not succeed in this run (failed, skipped, busy, interrupted). */
  failed: boolean;
  /** Fail when a service failed that did not fail the run before. */
  newlyFailed: boolean;
}

export function parseFailOn(text: string): FailOn {
  const failOn: FailOn = { slower: null, failed: false, newlyFailed: false };
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const slower = /^slower:(\d+(?:\.\d+)?)x?$/.exec(part);
    if (slower && Number(slower[1]) > 1) failOn.slower = Number(slower[1]);
    else if (part === 'failed') failOn.failed = true;
    else if (part === 'newly-failed') failOn.newlyFailed = true;
    else {
      throw new Error(
        `--fail-on: ${JSON.stringify(part)} is not one of slower:<N>x (N > 1, e.g. slower:2x), failed, newly-failed`,
      );
    }
  }
  return failOn;
}

/** Why the comparison fails the gate, one line each; empty when it passes. */
export function gateFailures(comparison: RunComparison, failOn: FailOn): string[] {
  const reasons: string[] = [];
  for (const s of comparison.services) {
    if (failOn.failed && s.status !== '' && !OUTCOME_TABLE[s.status].ok)
      reasons.push(`${s.service}: ${s.status} in this run`);
    else if (failOn.newlyFailed && s.change === 'newly-failed') reasons.push(`${s.service}: newly failed`);
    const limit = failOn.slower;
    if (limit !== null) {
      if ((s.buildRatio ?? 0) >= limit) reasons.push(`${s.service}: build ${s.buildRatio}x as long (limit ${limit}x)`);
      if ((s.pushRatio ?? 0) >= limit) reasons.push(`${s.service}: push ${s.pushRatio}x as long (limit ${limit}x)`);
    }
  }
  return reasons;
}
