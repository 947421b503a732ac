/**
 * The registry's two lists, page by page: `GET /v2/<name>/tags/list` and `GET /v2/_catalog`.
 * The next page is the `Link: <…>; rel="next"` header, which distribution writes relative
 * (`</v2/x/tags/list?last=b&n=2>`): resolve it against the request URL rather than building URLs
 * ourselves, and stop when it is absent.
 * distribution 2.8 (Debian's) ignores `n` and `last` for tags and answers in directory order,
 * unsorted: tags are therefore sorted and deduplicated here.
 */
import type { Transport, TransportRequest } from './transport/http.js';

export interface ListTagsOptions {
  /** `n` per page; the registry may clamp it. Absent: the registry's default. */
  pageSize?: number;
}

/** The `rel="next"` target of a Link header, if any. */
export function nextLink(header: string | null): string | undefined {
  for (const part of header?.split(/,(?=\s*<)/) ?? []) {
    const m = part.match(/<([^>]*)>\s*;(.*)/);
    if (m && /\brel="?next"?/i.test(m[2] ?? '')) return m[1];
  }
  return undefined;
}

/** Every page's `field`, from `first` on. @throws RegistryError for an answer other than 200 */
async function allPages(
  t: Transport,
  first: URL,
  req: Omit<TransportRequest, 'method' | 'url'>,
  field: string,
): Promise<string[]> {
  const items: string[] = [];
  let url: URL | undefined = first;
  for (let page = 0; url && page < 10_000; page++) {
    const request = { ...req, method: 'GET', url: url.href } as const;
    const res = await t.request(request);
    if (res.status !== 200) throw await t.errorFor(res, request);
    const body = (await res.json()) as Record<string, string[] | null | undefined>;
    items.push(...(body[field] ?? []));
    const next = nextLink(res.headers.get('link'));
    url = next === undefined ? undefined : new URL(next, url);
  }
  return items;
}

/** Every tag of `repo`, sorted. @throws RegistryError (`NAME_UNKNOWN` for a repository never pushed) */
export async function listTags(t: Transport, repo: string, opts: ListTagsOptions = {}): Promise<string[]> {
  const first = new URL(`/v2/${repo}/tags/list`, t.origin);
  if (opts.pageSize !== undefined) first.searchParams.set('n', String(opts.pageSize));
  const tags = await allPages(t, first, { repository: repo, operation: 'GET tags list' }, 'tags');
  return [...new Set(tags)].sort();
}

/**
 * Every repository in the registry, in the registry's order. A token registry is asked for the
 * `registry:catalog:*` scope (distribution docs/spec/auth/scope.md).
 * @throws RegistryError (401 when the credentials may not read the catalog)
 */
export async function listRepositories(t: Transport): Promise<string[]> {
  const first = new URL('/v2/_catalog?n=1000', t.origin);
  return allPages(t, first, { scope: 'registry:catalog:*', operation: 'GET catalog' }, 'repositories');
}
