/**
 * What is already in the registry: repositories named with `_` under the namespace (seed
 * failure mode 6: the old script pushed `ameide/www_ameide`, which no workload names any more)
 * and content tags piling up beyond `retention.keep`.
 */
import { fail, pass, type DoctorCheck } from './types.js';

export function underscoreRepositories(repositories: readonly string[], namespace: string): DoctorCheck {
  const name = 'repository names';
  const bad = repositories.filter((r) => r.startsWith(`${namespace}/`) && r.slice(namespace.length + 1).includes('_'));
  if (bad.length === 0)
    return pass(name, `no repository under ${namespace}/ has "_" (${repositories.length} in the catalog)`);
  const renamed = bad.map((r) => `${r} (now ${r.replace(/_/g, '-')})`).join(', ');
  return fail(
    name,
    `${bad.length} repository(ies) with "_" under ${namespace}/: ${renamed}`,
    'names use hyphens: point workloads at the hyphenated name, then delete the old repository (imagefleet prune, or DELETE its manifests)',
  );
}

/** `content-*` tags per service, over the limit. */
export function staleContentTags(tagsByService: ReadonlyMap<string, readonly string[]>, keep: number): DoctorCheck {
  const name = 'content tags';
  const over = [...tagsByService]
    .map(([service, tags]) => ({ service, count: tags.filter((t) => t.startsWith('content-')).length }))
    .filter((s) => s.count > keep);
  if (over.length === 0) return pass(name, `every service has at most ${keep} content-* tag(s) (retention.keep)`);
  return fail(
    name,
    `${over.map((s) => `${s.service} ${s.count}`).join(', ')} content-* tags (retention.keep: ${keep})`,
    'imagefleet prune (--dry-run lists what would go)',
  );
}
