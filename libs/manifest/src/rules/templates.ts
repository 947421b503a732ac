/**
 * Tag templates must render valid tags that no other tag of the service can equal: refused here,
 * with the line, rather than found by a push that moves `dev` or a content tag.
 */
import type { ManifestFile } from '../schema.js';
import type { PathSegment, Problem } from '../problem.js';
import {
  isTemplate,
  parseTemplate,
  placeholdersOf,
  renderParts,
  templateRegExp,
  PLACEHOLDER_SHAPES,
  SORTABLE,
  type TagFacts,
  type TemplatePart,
} from '../tag-template.js';

/** A rendering of every placeholder, to test one template against another. */
const SAMPLE: TagFacts = {
  branch: 'main',
  sha: '0123456789abcdef0123456789abcdef01234567',
  shortSha: '0123456',
  timestamp: '1700000000',
  contentKey: '0123456789abcdef0123456789abcdef',
  runId: '20261202T164500Z-1234',
};
const CONTENT_TAG_SAMPLE = 'content-0123456789abcdef0123456789abcdef';

export function templateProblems(raw: ManifestFile): Problem[] {
  const problems: Problem[] = [];
  const primary = raw.defaults?.tag;
  if (typeof primary === 'string' && isTemplate(primary))
    problems.push({
      path: ['defaults', 'tag'],
      message: `defaults.tag "${primary}" is a template: it names the logs and the summary file, so it stays fixed; put templates in defaults.tags`,
    });
  const defaults = (raw.defaults?.tags ?? []).map((tag, i) => ({ tag, at: ['defaults', 'tags', i] as PathSegment[] }));
  const seen = new Set<string>();
  for (const [name, entry] of Object.entries(raw.services)) {
    const own = (entry?.tags ?? []).map((tag, i) => ({ tag, at: ['services', name, 'tags', i] as PathSegment[] }));
    const all = [{ tag: primary ?? 'dev', at: ['defaults', 'tag'] as PathSegment[] }, ...defaults, ...own];
    const literals = all.filter((t) => !isTemplate(t.tag)).map((t) => t.tag);
    const parsed: { tag: string; at: PathSegment[]; parts: TemplatePart[] }[] = [];
    for (const { tag, at } of all.filter((t) => isTemplate(t.tag))) {
      const parts = parseTemplate(tag);
      const problem = 'error' in parts ? parts.error : shapeProblem(tag, parts, literals);
      // A default's problem is said once, not once per service.
      const key = `${at.join('.')}\0${problem}`;
      if (problem && !seen.has(key)) problems.push({ path: at, message: problem });
      seen.add(key);
      if (!problem && !('error' in parts)) parsed.push({ tag, at, parts });
    }
    for (const [i, a] of parsed.entries())
      for (const b of parsed.slice(i + 1))
        if (
          a.tag !== b.tag &&
          (templateRegExp(a.parts).test(renderParts(b.parts, SAMPLE)) ||
            templateRegExp(b.parts).test(renderParts(a.parts, SAMPLE)))
        )
          problems.push({
            path: b.at,
            message: `tag template "${b.tag}" can render the same tag as "${a.tag}" (service ${name}): make them differ by a literal`,
          });
  }
  return problems;
}

function shapeProblem(tag: string, parts: TemplatePart[], literals: string[]): string {
  const bad = parts.find((p) => 'literal' in p && /[^A-Za-z0-9_.-]/.test(p.literal));
  if (bad) return `tag template "${tag}": tags hold only letters, digits, "_", "." and "-"`;
  const first = parts[0]!;
  if ('literal' in first && /^[.-]/.test(first.literal)) return `tag template "${tag}" must not start with "." or "-"`;
  const longest = parts.reduce(
    (n, p) =>
      n +
      ('literal' in p
        ? p.literal.length
        : p.placeholder === 'branch'
          ? 1
          : PLACEHOLDER_SHAPES[p.placeholder].maxLength),
    0,
  );
  if (longest > 128) return `tag template "${tag}" can render ${longest} characters, over the 128 a tag may have`;
  const re = templateRegExp(parts);
  const clash = [...literals, CONTENT_TAG_SAMPLE].find((literal) => re.test(literal));
  if (clash)
    return `tag template "${tag}" can render "${clash === CONTENT_TAG_SAMPLE ? 'content-<key>' : clash}", a tag imagefleet sets for another reason: add a literal prefix`;
  const used = placeholdersOf(parts);
  if (used.some((p) => SORTABLE.includes(p)) && !used.includes('sha') && !used.includes('shortSha'))
    return `tag template "${tag}" sorts but names no commit: add {shortSha} (a dirty tree's push then carries "-dirty", which Flux policies do not select)`;
  return '';
}
