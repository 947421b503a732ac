/**
 * Tag templates (`dev-{shortSha}-{timestamp}`): their grammar, what each placeholder can render
 * to, and rendering from facts given by the caller. Pure, and here rather than in the pipeline
 * because the manifest is checked against it (an unknown placeholder or a template that can
 * render an invalid or colliding tag is a manifest error with its line); reading the facts from
 * git is the pipeline's job.
 */
import { TAG } from './grammar.js';

export const PLACEHOLDERS = ['branch', 'sha', 'shortSha', 'timestamp', 'contentKey', 'runId'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** What a run renders templates from. `sha` carries a `-dirty` suffix when the work tree has changes. */
export type TagFacts = Record<Placeholder, string>;

export type TemplatePart = { literal: string } | { placeholder: Placeholder };

/** What each placeholder can render to (a regexp fragment, no groups) and its longest rendering. */
export const PLACEHOLDER_SHAPES: Record<Placeholder, { pattern: string; maxLength: number }> = {
  branch: { pattern: '[A-Za-z0-9_][A-Za-z0-9_.-]*', maxLength: 128 },
  sha: { pattern: '[0-9a-f]{40}(?:-dirty)?', maxLength: 46 },
  shortSha: { pattern: '[0-9a-f]{7}(?:-dirty)?', maxLength: 13 },
  // Unix seconds: ten digits until the year 2286.
  timestamp: { pattern: '[0-9]+', maxLength: 10 },
  contentKey: { pattern: '[0-9a-f]{32}', maxLength: 32 },
  // newRunId: `<UTC stamp>-<pid>[-n]`.
  runId: { pattern: '[0-9]{8}T[0-9]{6}Z-[0-9]+(?:-[0-9]+)?', maxLength: 40 },
};

/** Placeholders whose value orders pushes in time: what a Flux policy can sort by. */
export const SORTABLE: readonly Placeholder[] = ['timestamp', 'runId'];

export function isTemplate(tag: string): boolean {
  return tag.includes('{');
}

/** The first template that sorts (what Flux follows and the `version` label names), if any. */
export function sortableTemplate(tags: readonly string[]): string | undefined {
  return tags.find((t) => isTemplate(t) && SORTABLE.some((p) => t.includes(`{${p}}`)));
}

/** Split a template into literal runs and placeholders; `{name}` that is not a placeholder is an error. */
export function parseTemplate(template: string): TemplatePart[] | { error: string } {
  const parts: TemplatePart[] = [];
  const re = /\{([^{}]*)\}/g;
  let at = 0;
  for (const match of template.matchAll(re)) {
    if (match.index > at) parts.push({ literal: template.slice(at, match.index) });
    const name = match[1]!;
    if (!(PLACEHOLDERS as readonly string[]).includes(name))
      return {
        error: `unknown placeholder {${name}} in "${template}": use ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`,
      };
    parts.push({ placeholder: name as Placeholder });
    at = match.index + match[0].length;
  }
  if (at < template.length) parts.push({ literal: template.slice(at) });
  const stray = parts.find((p) => 'literal' in p && /[{}]/.test(p.literal));
  if (stray) return { error: `unbalanced "{" or "}" in "${template}"` };
  return parts;
}

/** The placeholders a template uses, in order. */
export function placeholdersOf(parts: readonly TemplatePart[]): Placeholder[] {
  return parts.flatMap((p) => ('placeholder' in p ? [p.placeholder] : []));
}

/** An anchored regexp for every tag the template can render. */
export function templateRegExp(parts: readonly TemplatePart[]): RegExp {
  const body = parts
    .map((p) => ('literal' in p ? escapeRegExp(p.literal) : `(?:${PLACEHOLDER_SHAPES[p.placeholder].pattern})`))
    .join('');
  return new RegExp(`^${body}$`);
}

/**
 * Render a parsed template. The branch is sanitised to the tag grammar (`feature/x` →
 * `feature-x`) and cut so the whole tag fits in 128 characters.
 */
export function renderParts(parts: readonly TemplatePart[], facts: TagFacts): string {
  const fixed = parts.reduce(
    (n, p) => n + ('literal' in p ? p.literal.length : p.placeholder === 'branch' ? 0 : facts[p.placeholder].length),
    0,
  );
  const branches = parts.filter((p) => 'placeholder' in p && p.placeholder === 'branch').length;
  const room = branches ? Math.max(1, Math.floor((128 - fixed) / branches)) : 0;
  return parts
    .map((p) => {
      if ('literal' in p) return p.literal;
      return p.placeholder === 'branch' ? sanitiseBranch(facts.branch).slice(0, room) : facts[p.placeholder];
    })
    .join('');
}

/** Render a tag: a literal tag as it is, a template from the facts. Throws on a template the manifest check refuses. */
export function renderTag(template: string, facts: TagFacts): string {
  const parts = parseTemplate(template);
  if ('error' in parts) throw new Error(parts.error);
  const tag = renderParts(parts, facts);
  if (!TAG.test(tag)) throw new Error(`tag template "${template}" rendered "${tag}", which is not a valid tag`);
  return tag;
}

/** A branch name in the tag grammar: every other character (`/` first of all) becomes `-`, no leading `.` or `-`. */
export function sanitiseBranch(branch: string): string {
  return branch.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[.-]+/, '') || 'branch';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
