import type * as z from 'zod';
import { allowedKeys, ManifestFileSchema, type ManifestFile } from './schema.js';
import { closest, listOf } from './suggest.js';
import type { PathSegment, Problem } from './problem.js';

export type ShapeResult = { ok: true; value: ManifestFile } | { ok: false; problems: Problem[] };

/** The text as written at a path, when the parsed value lost it (`1.10` parsed as 1.1). */
export type TextAt = (path: readonly PathSegment[]) => string | undefined;

/** Step one of three (shape → normalise → rules): does the file have the right keys and types? */
export function checkShape(data: unknown, textAt: TextAt = () => undefined): ShapeResult {
  const result = ManifestFileSchema.safeParse(data, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: result.error.issues.flatMap((issue) => explain(issue, textAt)) };
}

/** zod's messages name types; ours say what to write instead. */
function explain(issue: z.core.$ZodIssue, textAt: TextAt): Problem[] {
  const path = issue.path as PathSegment[];
  const input = issue.input;
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const allowed = allowedKeys(path);
        const near = closest(key, allowed);
        const hint = near ? `did you mean "${near}"?` : `allowed keys are ${listOf(allowed)}`;
        return { path: [...path, key], at: 'key', message: `unknown key "${key}": ${hint}` };
      });
    case 'invalid_type':
      return [{ path, message: invalidType(path, issue.expected, input, textAt(path)) }];
    case 'too_small':
      if (issue.origin === 'string') return [{ path, message: 'must not be empty: remove the key to use the default' }];
      return [
        {
          path,
          message: `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}, got ${show(input)}`,
        },
      ];
    case 'invalid_value':
      return [{ path, message: `must be one of ${issue.values.join(', ')}, got ${show(input)}` }];
    case 'invalid_union':
      return [
        {
          path,
          message: `build arg values are strings, numbers or booleans, got ${kind(input)}: write ${String(path.at(-1))}: "" for an empty value`,
        },
      ];
    default:
      return [{ path, message: issue.message }];
  }
}

function invalidType(path: PathSegment[], expected: string, input: unknown, written: string | undefined): string {
  const key = String(path.at(-1) ?? 'manifest');
  if (input === undefined || input === null) {
    if (path.length === 0) return 'the manifest is empty: it needs registry and services';
    if (input === null) return key === 'services' ? 'list at least one service' : `"${key}" is empty: give it a value`;
    return `missing required key "${key}": add ${key}: under ${path.length > 1 ? path.slice(0, -1).join('.') : 'the top level'}`;
  }
  if (path.length === 1 && path[0] === 'services' && Array.isArray(input)) {
    return 'services is a map keyed by service name, not a list: write "my-service:" instead of "- name: my-service"';
  }
  if (expected === 'string' && (typeof input === 'number' || typeof input === 'boolean')) {
    const text = written ?? String(input);
    return `expected text, got the ${typeof input} ${text}: quote it ("${text}")`;
  }
  if (expected === 'array' && typeof input === 'string') {
    return `expected a list, got ${show(input)}: write [${input}]`;
  }
  if (expected === 'int') return `must be a whole number, got ${show(input)}`;
  return `expected ${article(expected)}, got ${kind(input)}`;
}

function kind(input: unknown): string {
  if (input === null || input === undefined) return 'nothing';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a map';
  return `the ${typeof input} ${show(input)}`;
}

function article(expected: string): string {
  const words: Record<string, string> = { object: 'a map', record: 'a map', array: 'a list', string: 'text' };
  return words[expected] ?? `a ${expected}`;
}

function show(input: unknown): string {
  return typeof input === 'string' ? `"${input}"` : String(input);
}
