/**
 * The ImagePolicy that follows a tag template: a filter that matches exactly what the template
 * renders on the followed branch from a clean tree (so `dev`, `latest`, `content-*` and a dirty
 * tree's `-dirty` tags never match), and the order that puts the newest push last: the commit's
 * `{timestamp}` numerically, else the run's `{runId}` stamp alphabetically.
 */
import {
  isTemplate,
  parseTemplate,
  sanitiseBranch,
  type FluxConfig,
  type Placeholder,
  type ServiceSpec,
  type TemplatePart,
} from '@imagefleet/manifest';
import type { FluxPolicy } from './policy.js';

export interface TagScheme {
  /** The template Flux follows: the service's first that sorts. */
  template: string;
  parts: TemplatePart[];
  policy: FluxPolicy & { filterTags: { pattern: string; extract: string } };
}

/** Go's regexp.QuoteMeta. */
function quoteMeta(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** What each placeholder matches in a policy (RE2 syntax); the sort key is a named group. */
function placeholderPattern(p: Placeholder, flux: FluxConfig, first: boolean): string {
  switch (p) {
    case 'branch':
      return quoteMeta(sanitiseBranch(flux.branch));
    case 'sha':
      return '[0-9a-f]{40}';
    case 'shortSha':
      return '[0-9a-f]{7}';
    case 'timestamp':
      return first ? '(?P<ts>[0-9]+)' : '[0-9]+';
    case 'contentKey':
      return '[0-9a-f]{32}';
    case 'runId':
      return `${first ? '(?P<run>' : '(?:'}[0-9]{8}T[0-9]{6}Z)-[0-9]+(?:-[0-9]+)?`;
  }
}

/** The service's Flux scheme, or null when none of its tags sorts (nothing for Flux to follow). */
export function tagScheme(service: ServiceSpec, flux: FluxConfig): TagScheme | null {
  for (const template of service.tags.filter(isTemplate)) {
    const parts = parseTemplate(template);
    if ('error' in parts) continue; // the manifest check refused it already
    const used = parts.flatMap((p) => ('placeholder' in p ? [p.placeholder] : []));
    const key: Placeholder | undefined = used.includes('timestamp')
      ? 'timestamp'
      : used.includes('runId')
        ? 'runId'
        : undefined;
    if (!key) continue;
    let named = false;
    const body = parts
      .map((p) => {
        if ('literal' in p) return quoteMeta(p.literal);
        const first = p.placeholder === key && !named;
        if (first) named = true;
        return placeholderPattern(p.placeholder, flux, first);
      })
      .join('');
    const filterTags = { pattern: `^${body}$`, extract: key === 'timestamp' ? '$ts' : '$run' };
    const policy: FluxPolicy['policy'] =
      key === 'timestamp' ? { numerical: { order: 'asc' } } : { alphabetical: { order: 'asc' } };
    return { template, parts, policy: { filterTags, policy } };
  }
  return null;
}
