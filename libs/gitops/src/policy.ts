/**
 * What an ImagePolicy selects from a repository's tags, as the image-reflector-controller
 * computes it (internal/policy: filter.go, numerical.go, alphabetical.go): the filter keeps the
 * tags the pattern finds a match in, `extract` turns each into the value to sort (two tags with
 * one value: the later in the list wins, as the controller's map does), and the policy picks the
 * last value in its order. Pure; `flux check` and `prune` ask it.
 */
import { compileGoRegExp } from './go-regexp.js';

export type PolicyOrder = 'asc' | 'desc';

/** The parts of an ImagePolicy spec that decide the selection. */
export interface FluxPolicy {
  filterTags?: { pattern: string; extract?: string } | undefined;
  policy:
    { numerical: { order?: PolicyOrder } } | { alphabetical: { order?: PolicyOrder } } | { semver: { range: string } };
}

export type Selection =
  | {
      ok: true;
      /** The tag Flux selects. */
      tag: string;
      /** The value it was ordered by. */
      value: string;
      /** Other tags with the same value, or an equal number: which one Flux picks depends on the order it reads them. */
      tied: string[];
      /** How many tags passed the filter. */
      candidates: number;
    }
  | { ok: false; error: string };

export function selectLatest(tags: readonly string[], spec: FluxPolicy): Selection {
  const values = new Map<string, string>();
  const sources = new Map<string, string[]>();
  if (spec.filterTags?.pattern) {
    const re = compileGoRegExp(spec.filterTags.pattern);
    if ('error' in re) return { ok: false, error: `failed to filter tags: ${re.error}` };
    for (const tag of tags) {
      const value = spec.filterTags.extract ? re.expand(tag, spec.filterTags.extract) : re.test(tag) ? tag : null;
      if (value === null) continue;
      values.set(value, tag);
      sources.set(value, [...(sources.get(value) ?? []), tag]);
    }
  } else
    for (const tag of tags) {
      values.set(tag, tag);
      sources.set(tag, [tag]);
    }
  const list = [...values.keys()];
  if (!list.length) return { ok: false, error: 'version list argument cannot be empty' };
  const latest =
    'numerical' in spec.policy
      ? numerical(list, spec.policy.numerical.order ?? 'asc')
      : 'alphabetical' in spec.policy
        ? alphabetical(list, spec.policy.alphabetical.order ?? 'asc')
        : { error: 'semver policies are not evaluated by imagefleet: its tag templates sort by number or alphabet' };
  if ('error' in latest) return { ok: false, error: latest.error };
  const tag = values.get(latest.value)!;
  const tied = [...(sources.get(latest.value) ?? []), ...latest.equal.flatMap((v) => sources.get(v) ?? [])].filter(
    (t) => t !== tag,
  );
  return { ok: true, tag, value: latest.value, tied, candidates: list.length };
}

type Latest = { value: string; equal: string[] } | { error: string };

/** Every value must parse as a Go float64; the highest (asc) or lowest (desc) wins. */
function numerical(values: string[], order: PolicyOrder): Latest {
  let best: { value: string; n: number } | undefined;
  for (const value of values) {
    const n = parseGoFloat(value);
    if (n === null) return { error: `failed to parse invalid numeric value '${value}'` };
    // As the controller: a value replaces the best unless it is strictly worse (so NaN always does).
    if (!best || !(order === 'asc' ? n < best.n : n > best.n)) best = { value, n };
  }
  const equal = values.filter((v) => v !== best!.value && parseGoFloat(v) === best!.n);
  return { value: best!.value, equal };
}

/** Go's `sort.Strings` order: by bytes, which for tag characters (ASCII) is by UTF-16 unit. */
function alphabetical(values: string[], order: PolicyOrder): Latest {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { value: order === 'asc' ? sorted.at(-1)! : sorted[0]!, equal: [] };
}

const DECIMAL = /^[+-]?(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9]+)?$/;
const SPECIAL = /^(?:[+-]?inf(?:inity)?|nan)$/i;

/**
 * `strconv.ParseFloat(s, 64)`: decimal and hexadecimal forms, `_` between digits, Inf/Infinity
 * (signed) and NaN (unsigned); null where Go returns an error, out of range (1e400) too.
 */
export function parseGoFloat(text: string): number | null {
  if (SPECIAL.test(text)) return Number(text.replace(/inf(inity)?/i, 'Infinity').replace(/nan/i, 'NaN'));
  if (/^[+-]?0[xX]/.test(text)) {
    const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(text);
    if (!m || (!m[2] && !m[3])) return null;
    const mantissa = parseInt(`${m[2] || '0'}${m[3] ?? ''}`, 16) / 16 ** (m[3]?.length ?? 0);
    const n = mantissa * 2 ** Number(m[4]);
    return Number.isFinite(n) ? (m[1] === '-' ? -n : n) : null;
  }
  if (!DECIMAL.test(text)) return null;
  const n = Number(text.replaceAll('_', ''));
  return Number.isFinite(n) ? n : null;
}
