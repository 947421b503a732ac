/**
 * The one redactor: every line that leaves a child process for a log, an error or the
 * terminal goes through it (parsers read the raw lines: masking must never change what is
 * parsed). Secret values are replaced by `***`; values shorter than four characters are still
 * masked (a short token is still a token; the manifest's secret loader refuses them anyway).
 *
 * A multi-line value (a PEM key) never reaches a log whole: output is split into lines first.
 * So each of its lines of four characters or more is masked on its own too.
 */
export type Redactor = (text: string) => string;

export const MASK = '***';

export function createRedactor(secretValues: Iterable<string>): Redactor {
  // Longest first, so a value containing another is masked whole.
  const values = [...new Set([...secretValues].filter((v) => v.length > 0))].sort((a, b) => b.length - a.length);
  if (values.length === 0) return (text) => text;
  const variants = new Set<string>();
  for (const v of values) {
    variants.add(v);
    for (const line of linesOf(v)) variants.add(line);
    // Also the encodings a value commonly shows up in: URL-encoded and base64.
    variants.add(encodeURIComponent(v));
    if (v.length >= 6) {
      const b64 = Buffer.from(v).toString('base64');
      variants.add(b64);
      variants.add(b64.replace(/=+$/, ''));
    }
  }
  const ordered = [...variants].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(ordered.map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(pattern, MASK);
}

/** Combine redactors (e.g. secrets plus registry credentials). */
export function composeRedactors(...redactors: Redactor[]): Redactor {
  return (text) => redactors.reduce((acc, r) => r(acc), text);
}

/** The lines of a multi-line value worth masking on their own: four characters or more, as
 * written and trimmed (a printed key may lose its indentation). */
function linesOf(value: string): string[] {
  const parts = value.split(/\r\n|\r|\n/);
  if (parts.length < 2) return [];
  return parts.flatMap((line) => [line, line.trim()]).filter((line) => line.length >= MIN_LINE);
}

const MIN_LINE = 4;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
