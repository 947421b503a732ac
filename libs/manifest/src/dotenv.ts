/**
 * `.env` as dotenv reads it, plus what dotenv does not say: the line each key is set on, whether
 * a `#` cut an unquoted value short, and keys set more than once (dotenv keeps the last silently).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'dotenv';

export interface Dotenv {
  values: Record<string, string>;
  /** Where each key is set (the last time: dotenv keeps the last), every line it is set on, and whether a `#` cut it. */
  lines: Map<string, { line: number; all: number[]; cut: boolean }>;
}

export function readDotenv(file: string): Dotenv {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { values: {}, lines: new Map() };
    throw error;
  }
  return { values: parse(text), lines: dotenvLines(text.toString()) };
}

/** dotenv 16's own line pattern (lib/main.js `LINE`), so keys are found exactly as `parse` finds them. */
const DOTENV_LINE =
  /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm;

/**
 * An unquoted value ends at the first `#` (`[^#\r\n]+`): `TOKEN=abc#def` and `TOKEN=abc # note`
 * both give `abc`. A secret cut short fails much later as a wrong credential, so it is flagged.
 */
function dotenvLines(source: string): Dotenv['lines'] {
  const text = source.replace(/\r\n?/g, '\n');
  const lines: Dotenv['lines'] = new Map();
  for (const match of text.matchAll(new RegExp(DOTENV_LINE.source, DOTENV_LINE.flags))) {
    const [whole, key, rawValue = ''] = match;
    const quoted = /^\s*['"`]/.test(rawValue);
    const rest = whole.slice(whole.indexOf(rawValue, whole.indexOf(key!) + key!.length) + rawValue.length);
    const cut = !quoted && /#/.test(rest.split('\n')[0]!);
    const line = text.slice(0, match.index! + whole.search(/\S/)).split('\n').length;
    lines.set(key!, { line, all: [...(lines.get(key!)?.all ?? []), line], cut });
  }
  return lines;
}

/** Keys set on more than one line, in file order of their last line. */
export function repeatedDotenvKeys(lines: Dotenv['lines']): Array<{ key: string; lines: number[] }> {
  return [...lines]
    .filter(([, entry]) => entry.all.length > 1)
    .map(([key, entry]) => ({ key, lines: entry.all }))
    .sort((a, b) => a.lines.at(-1)! - b.lines.at(-1)!);
}
