import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ManifestError } from './errors.js';
import { normalise } from './normalise.js';
import { dotted, type Problem } from './problem.js';
import { ruleProblems, serviceNameProblems } from './rules/index.js';
import { checkShape } from './shape.js';
import { parseSource, type Source } from './source.js';
import type { Manifest, ManifestIssue } from './types.js';

/** The manifest's file name. */
const MANIFEST_FILE = 'services.manifest.yaml';

export interface LoadManifestOptions {
  /** Read for the engine variables (`IMAGEFLEET_DOCKER`, `DOCKER_HOST`, `DOCKER_CONFIG`, `IMAGEFLEET_STATE_DIR`). @default process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * Read, check and normalise `services.manifest.yaml`. Throws one `ManifestError` carrying every
 * issue found: YAML errors alone (positions after a syntax error cannot be trusted); else shape
 * issues, plus service-name issues since those only need the keys; else every rule's issues.
 *
 * @param file the manifest path; issues name it as given, so pass what the user typed.
 */
export async function loadManifest(file: string, opts: LoadManifestOptions = {}): Promise<Manifest> {
  const absolute = path.resolve(file);
  const text = await readManifest(file, absolute);
  const source = parseSource(text);
  const fail = (problems: Problem[]) => new ManifestError(problems.map((p) => toIssue(file, source, p)));
  if (source.problems.length) throw fail(source.problems);

  const shape = checkShape(source.data, source.textAt);
  const order = source.keys(['services']);
  if (!shape.ok) {
    const services = (source.data as { services?: unknown } | null)?.services;
    const names = isPlainMap(services) ? order.filter((name) => name in services) : [];
    throw fail([...byPosition(shape.problems, source), ...byPosition(serviceNameProblems(names), source)]);
  }

  const manifest = normalise(shape.value, {
    file: absolute,
    env: opts.env ?? process.env,
    source: { order, line: (name) => source.locate(['services', name], 'key').line, textAt: source.textAt },
  });
  const problems = ruleProblems(shape.value, manifest);
  if (problems.length) throw fail(byPosition(problems, source));
  return manifest;
}

async function readManifest(file: string, absolute: string): Promise<string> {
  try {
    return await readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? `manifest not found (looked at ${absolute}): create ${MANIFEST_FILE} or pass its path`
        : `cannot read the manifest (${code ?? (error as Error).message}): check that ${absolute} is a readable file`;
    throw new ManifestError([{ file, line: 1, column: 1, path: '', message }]);
  }
}

function toIssue(file: string, source: Source, problem: Problem): ManifestIssue {
  const { line, column } = problem.position ?? source.locate(problem.path, problem.at);
  return { file, line, column, path: dotted(problem.path), message: problem.message };
}

/** Issues read top to bottom; the sort is stable, so problems at one place keep their order. */
function byPosition(problems: Problem[], source: Source): Problem[] {
  const placed = problems.map((p) => ({ p, at: p.position ?? source.locate(p.path, p.at) }));
  placed.sort((a, b) => a.at.line - b.at.line || a.at.column - b.at.column);
  return placed.map(({ p, at }) => ({ ...p, position: at }));
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
