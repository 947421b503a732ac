import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { dotted, type PathSegment, type Position, type Problem } from './problem.js';

/**
 * The manifest text parsed with source positions, so that any problem, named by its path, can be
 * placed at a line and column. A path that stops short (a missing required key, a defaulted
 * field) is placed at the nearest part that exists: "point at the parent".
 */
export interface Source {
  /** YAML syntax errors and duplicate keys, already placed. Empty when the YAML is sound. */
  problems: Problem[];
  /** The document as plain data (for the shape check); undefined when there are problems. */
  data: unknown;
  locate(path: readonly PathSegment[], at?: 'key' | 'value'): Position;
  /** Keys of the map at `path`, in file order (JS objects put integer-like keys first). */
  keys(path: readonly PathSegment[]): string[];
  /** The text of the scalar at `path` as written (`1.10`, not `1.1`). */
  textAt(path: readonly PathSegment[]): string | undefined;
}

interface Found {
  /** How many segments of the path exist in the document. */
  depth: number;
  node: Node | null;
  key: Node | null;
}

export function parseSource(text: string): Source {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number): Position => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const start = (node: Node | null): Position => position(node?.range?.[0] ?? 0);

  const find = (path: readonly PathSegment[]): Found => {
    let found: Found = { depth: 0, node: doc.contents, key: null };
    for (const segment of path) {
      let node = found.node;
      if (isAlias(node)) node = node.resolve(doc) ?? null;
      if (isMap(node)) {
        const pair = node.items.find((p) => keyText(p.key) === String(segment));
        if (!pair) break;
        found = { depth: found.depth + 1, node: (pair.value as Node | null) ?? null, key: pair.key as Node };
      } else if (isSeq(node) && node.items[Number(segment)] !== undefined) {
        found = { depth: found.depth + 1, node: node.items[Number(segment)] as Node, key: null };
      } else break;
    }
    return found;
  };

  const problems = yamlProblems(doc, position, text);
  let data: unknown;
  try {
    data = problems.length ? undefined : doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // yaml refuses alias bombs while expanding aliases.
    problems.push({ path: [], position: position(0), message: `invalid YAML: ${(error as Error).message}` });
  }

  return {
    problems,
    data,
    locate(path, at = 'value') {
      const { depth, node, key } = find(path);
      const pointAtValue =
        depth === path.length && at === 'value' && isScalar(node) && !!node.range && node.range[1] > node.range[0];
      return pointAtValue || !key ? start(node) : start(key);
    },
    keys(path) {
      const { depth, node } = find(path);
      return depth === path.length && isMap(node) ? node.items.map((p) => keyText(p.key)) : [];
    },
    textAt(path) {
      const { depth, node } = find(path);
      return depth === path.length && isScalar(node) && node.range
        ? text.slice(node.range[0], node.range[1])
        : undefined;
    },
  };
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

/** yaml places DUPLICATE_KEY where the previous value ends, so duplicates are found again by
 * walking the maps, to point at the repeated key itself; other errors keep yaml's offset. */
function yamlProblems(doc: Document.Parsed, position: (offset: number) => Position, text: string): Problem[] {
  const problems: Problem[] = [];
  duplicates(doc.contents, [], position, problems);
  const foundDuplicates = problems.length > 0;
  for (const error of doc.errors) {
    if (error.code === 'DUPLICATE_KEY' && foundDuplicates) continue;
    // yaml notices an unclosed `[`, `{` or quote only at the next token, often the next key:
    // name (and place) the value left open instead of the key that follows it.
    const open = unclosedBefore(doc.contents, error.pos[0], text, []);
    const path = open?.path ?? pathAt(doc.contents, error.pos[0], []);
    problems.push({ path, position: position(open?.start ?? error.pos[0]), message: `invalid YAML: ${error.message}` });
  }
  return problems.sort((a, b) => a.position!.line - b.position!.line || a.position!.column - b.position!.column);
}

function duplicates(node: unknown, path: PathSegment[], position: (o: number) => Position, out: Problem[]): void {
  if (isMap(node)) {
    const seen = new Map<string, number>();
    for (const pair of node.items) {
      const key = keyText(pair.key);
      const offset = (pair.key as Node | null)?.range?.[0] ?? 0;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, offset);
      else {
        const firstLine = position(first).line;
        const message =
          path.length === 1 && path[0] === 'services'
            ? `service "${key}" is listed twice (first at line ${firstLine}): merge the two entries`
            : `key "${key}" appears twice in ${path.length ? dotted(path) : 'the manifest'} (first at line ${firstLine}): keep one`;
        out.push({ path: [...path, key], position: position(offset), message });
      }
      duplicates(pair.value, [...path, key], position, out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => duplicates(item, [...path, i], position, out));
  }
}

/**
 * A flow collection or quoted scalar that is not closed and ends where the error was found
 * (its range runs up to `offset`): the real culprit of an error yaml reports at the next token.
 */
function unclosedBefore(
  node: unknown,
  offset: number,
  text: string,
  path: PathSegment[],
): { path: PathSegment[]; start: number } | undefined {
  const visit = (child: unknown, at: PathSegment[]) => {
    const range = (child as Node | null)?.range;
    if (!range || range[0] > offset || range[2] < offset) return undefined;
    const deeper = unclosedBefore(child, offset, text, at);
    if (deeper) return deeper;
    return range[1] <= offset && isUnclosed(child, text.slice(range[0], range[1]))
      ? { path: at, start: range[0] }
      : undefined;
  };
  if (isMap(node)) {
    for (const pair of node.items) {
      const found = visit(pair.value, [...path, keyText(pair.key)]);
      if (found) return found;
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const found = visit(item, [...path, i]);
      if (found) return found;
    }
  }
  return undefined;
}

function isUnclosed(node: unknown, source: string): boolean {
  const written = source.trimEnd();
  if ((isMap(node) || isSeq(node)) && node.flow) return !written.endsWith(isMap(node) ? '}' : ']');
  if (isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE')) {
    const quote = node.type === 'QUOTE_DOUBLE' ? '"' : "'";
    return written.length < 2 || !written.endsWith(quote);
  }
  return false;
}

/** The path of the deepest node around `offset`, so a syntax error still names where it is. */
function pathAt(node: unknown, offset: number, path: PathSegment[]): PathSegment[] {
  const inside = (n: unknown) => {
    const range = (n as Node | null)?.range;
    return !!range && range[0] <= offset && offset < range[2];
  };
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = keyText(pair.key);
      if (inside(pair.key)) return [...path, key];
      if (inside(pair.value)) return pathAt(pair.value, offset, [...path, key]);
    }
  } else if (isSeq(node)) {
    const i = node.items.findIndex(inside);
    if (i !== -1) return pathAt(node.items[i], offset, [...path, i]);
  }
  return path;
}
