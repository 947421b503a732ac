/**
 * The part of Go's `regexp` that Flux's tag filter uses (image-reflector-controller
 * internal/policy/filter.go): compile an RE2 pattern as JavaScript, find the leftmost match
 * anywhere in the tag (unanchored, like `FindStringSubmatchIndex`) and expand `extract` the way
 * `Regexp.ExpandString` does. RE2 syntax that JavaScript reads differently is refused rather
 * than guessed at.
 */

export interface GoRegExp {
  source: string;
  /** `$name`, `${name}`, `$1` expanded against the first match, or null when the tag does not match. */
  expand(tag: string, template: string): string | null;
  test(tag: string): boolean;
}

/** RE2 flag groups at the start that JavaScript has as flags. */
const LEADING_FLAGS = /^\(\?([ims]+)\)/;

export function compileGoRegExp(pattern: string): GoRegExp | { error: string } {
  let body = pattern;
  let flags = '';
  const leading = LEADING_FLAGS.exec(body);
  if (leading) {
    flags += leading[1]!;
    body = body.slice(leading[0].length);
  }
  const unsupported = /\\[QEzAC]|\(\?[a-zA-Z-]+[:)]|\[\[:/.exec(body);
  if (unsupported)
    return {
      error: `pattern ${pattern}: "${unsupported[0]}" is RE2 syntax imagefleet does not translate: rewrite it without`,
    };
  const source = body.replace(/\(\?P</g, '(?<');
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch (error) {
    return { error: `invalid regular expression pattern '${pattern}': ${(error as Error).message}` };
  }
  const names = groupNames(source);
  return {
    source: pattern,
    test: (tag) => re.test(tag),
    expand(tag, template) {
      const match = re.exec(tag);
      return match ? expandTemplate(template, match, names) : null;
    },
  };
}

/** Capture group names by index (1-based), '' for an unnamed group, as Go's `SubexpNames`. */
function groupNames(source: string): string[] {
  const names = [''];
  for (let i = 0; i < source.length; i++) {
    if (source[i] === '\\') {
      i++;
      continue;
    }
    if (source[i] === '[') {
      // Skip a character class: a group paren inside it is a literal.
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
      continue;
    }
    if (source[i] !== '(') continue;
    if (source[i + 1] !== '?') names.push('');
    else if (source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!')
      names.push(/^\(\?<([^>]+)>/.exec(source.slice(i))![1]!);
  }
  return names;
}

const NAME_CHAR = /[\p{L}\p{N}_]/u;

/** Go's `Regexp.expand`: a malformed `$` stays as text; a missing or unmatched group is empty. */
function expandTemplate(template: string, match: RegExpExecArray, names: string[]): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '$') {
      out += c;
      continue;
    }
    if (template[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name = '';
    let end = i + 1;
    if (template[end] === '{') {
      const close = template.indexOf('}', end);
      name = close === -1 ? '' : template.slice(end + 1, close);
      if (close === -1 || !name || ![...name].every((ch) => NAME_CHAR.test(ch))) {
        out += '$';
        continue;
      }
      end = close + 1;
    } else {
      while (end < template.length && NAME_CHAR.test(template[end]!)) name += template[end++];
      if (!name) {
        out += '$';
        continue;
      }
    }
    out += groupValue(name, match, names);
    i = end - 1;
  }
  return out;
}

function groupValue(name: string, match: RegExpExecArray, names: string[]): string {
  const index = /^[0-9]+$/.test(name) ? Number(name) : names.indexOf(name);
  return index >= 0 && index < match.length ? (match[index] ?? '') : '';
}
