/** One step of a path into the manifest: a map key or a list index. */
export type PathSegment = string | number;

/** 1-based line and column in the manifest. */
export interface Position {
  line: number;
  column: number;
}

/**
 * A problem found by the shape check or a rule, before it is placed in the file. Checks name
 * the path; the loader turns it into a line and column, so checks never see YAML nodes.
 */
export interface Problem {
  path: PathSegment[];
  message: string;
  /** Point at the key rather than the value (unknown keys, bad service names). @default 'value' */
  at?: 'key' | 'value';
  /** Set when the position is known without a path (YAML syntax errors). */
  position?: Position;
}

/** `services.www_ameide.context`; list indices are dotted too (`services.a.tags.1`). */
export function dotted(path: readonly PathSegment[]): string {
  return path.join('.');
}
