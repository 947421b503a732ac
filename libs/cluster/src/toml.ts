/**
 * The little TOML these files need, written by hand: basic strings (quoted and escaped per the
 * TOML spec) and arrays of them. No tables of tables, no numbers, no dates.
 */

/** A TOML basic string: `"` and `\` escaped, control characters as `\uXXXX`. */
export function tomlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

export function tomlArray(values: readonly string[]): string {
  return `[${values.map(tomlString).join(', ')}]`;
}
