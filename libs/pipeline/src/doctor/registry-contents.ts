/**
 * What is already in the registry: repositories named with `_` under the namespace (seed
 * failure mode 6: the old script pushed `ameide/www_ameide`, which no workload names any more)
 * and content tags piling up beyond `retention.keep`.
 */
import { fail, pass, type DoctorCheck } from './types.js';

export function underscoreRepositories(repositories: readonly string[], namespace: string): DoctorCheck {
  const name = 'repository names';
  const bad = repositories.filter((r) => r.startsWith(`${namespace}/`) && r.slice(namespace.length + 1).includes('_'));
  if (bad.length === 0) return pass(name, `no repository under ${namespace}/ has "_" (${repositories.length} in the catalog)`);
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

/** `GET /v2/_catalog`, page by page (Link rel="next"). Basic credentials when given. */
export async function listCatalog(origin: string, opts: { authorization?: string; timeoutMs?: number } = {}): Promise<string[]> {
  const repos: string[] = [];
  let url: URL | undefined = new URL('/v2/_catalog?n=1000', origin);
  for (let page = 0; url && page < 1000; page++) {
    const res: Response = await fetch(url, {
      headers: opts.authorization ? { authorization: opts.authorization } : {},
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`GET ${url.pathname}: HTTP ${res.status}${res.status === 401 ? ' (the catalog needs credentials with registry:catalog:* access)' : ''}`);
    }
    const body = (await res.json()) as { repositories?: string[] | null };
    repos.push(...(body.repositories ?? []));
    const next = res.headers.get('link')?.match(/<([^>]*)>\s*;\s*rel="?next"?/i)?.[1];
    url = next ? new URL(next, url) : undefined;
  }
  return repos;
}
