/**
 * The last lines of `imagefleet prune`: what really happened, counted from each manifest's
 * outcome (a refused DELETE is not a deletion), and the one-line fix when the registry has
 * deletes turned off.
 */
import type { PruneReport } from './prune.js';

export interface PruneCounts {
  kept: number;
  /** Deleted now, or already gone. */
  deleted: number;
  /** Dry run: would be deleted. */
  wouldDelete: number;
  /** A delete that did not go through, or a kept image that does not verify. */
  failed: number;
}

export function pruneCounts(report: PruneReport): PruneCounts {
  const count = (test: (m: PruneReport['manifests'][number]) => boolean) => report.manifests.filter(test).length;
  return {
    kept: count((m) => m.action === 'keep'),
    deleted: count((m) => m.outcome === 'deleted' || m.outcome === 'already gone'),
    wouldDelete: count((m) => m.outcome === 'would delete'),
    failed: count((m) => !m.ok),
  };
}

/** `N service(s): 1 kept, 0 deleted, 3 not deleted`, then the fix when deletes are disabled. */
export function pruneSummary(report: PruneReport, services: number, pushHost: string): string[] {
  const c = pruneCounts(report);
  const notDeleted = report.manifests.filter((m) => m.action === 'delete' && !m.ok).length;
  const badKept = c.failed - notDeleted;
  const parts = [
    `${c.kept} kept`,
    c.wouldDelete > 0 ? `${c.wouldDelete} would delete` : `${c.deleted} deleted`,
    ...(notDeleted > 0 ? [`${notDeleted} not deleted`] : []),
    ...(badKept > 0 ? [`${badKept} kept failed verification`] : []),
  ];
  return [
    `${services} service(s): ${parts.join(', ')}`,
    ...(report.deletesDisabled
      ? [
          `${pushHost} refuses deletes: start it with REGISTRY_STORAGE_DELETE_ENABLED=true (or storage.delete.enabled: true in its config.yml), then prune again`,
        ]
      : []),
  ];
}
