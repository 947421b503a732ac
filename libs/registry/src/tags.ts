/**
 * `GET /v2/<name>/tags/list`, page by page. The next page is the `Link: <…>; rel="next"`
 * header, which distribution writes relative (`</v2/x/tags/list?last=b&n=2>`): resolve it
 * against the request URL rather than building URLs ourselves, and stop when it is absent.
 * distribution 2.8 (Debian's) ignores `n` and `last` for tags and answers in directory order,
 * unsorted: the result is therefore sorted and deduplicated here.
 */
import type { Transport } from './transport/http.js';

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

/** Every tag of `repo`, sorted. @throws RegistryError (`NAME_UNKNOWN` for a repository never pushed) */
export async function listTags(t: Transport, repo: string, opts: ListTagsOptions = {}): Promise<string[]> {
  const tags: string[] = [];
  const first = new URL(`/v2/${repo}/tags/list`, t.origin);
  if (opts.pageSize !== undefined) first.searchParams.set('n', String(opts.pageSize));
  let url: URL | undefined = first;
  for (let page = 0; url && page < 10_000; page++) {
    const req = { method: 'GET', url: url.href, repository: repo, operation: 'GET tags list' } as const;
    const res = await t.request(req);
    if (res.status !== 200) throw await t.errorFor(res, req);
    const body = (await res.json()) as { tags?: string[] | null };
    tags.push(...(body.tags ?? []));
    const next = nextLink(res.headers.get('link'));
    url = next === undefined ? undefined : new URL(next, url);
  }
  return [...new Set(tags)].sort();
}
