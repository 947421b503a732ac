/**
 * Optional parts: something a suite needs that no package ships (BuildKit's daemon, a second
 * engine), found where the environment says or beside the repository. When it is missing the
 * suite prints ONE line — what it needs and how to get it — and skips; CI has every part, so
 * there the suites run.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './workspace.js';

export interface Part {
  name: string;
  /** The files it is made of, by role; empty when missing. */
  files: Record<string, string>;
  found: boolean;
  /** One line: what is missing and how to get it ('' when found). */
  missing: string;
}

export interface PartSpec {
  name: string;
  /** Role → environment variable that names the file, e.g. `{ buildkitd: 'IMAGEFLEET_BUILDKITD' }`. */
  env: Record<string, string>;
  /** Where the files are otherwise, relative to the repository's root (`../shared/tools/buildkit`). */
  dir: string;
  /** How to get it, for the one line. */
  howTo: string;
}

const said = new Set<string>();

/** Look the part up; print its one line the first time it is found missing. */
export function optionalPart(spec: PartSpec): Part {
  const files: Record<string, string> = {};
  for (const [role, variable] of Object.entries(spec.env)) {
    const file = process.env[variable] || join(REPO_ROOT, spec.dir, role);
    if (existsSync(file)) files[role] = file;
  }
  const found = Object.keys(files).length === Object.keys(spec.env).length;
  const missing = found
    ? ''
    : `skipped: needs ${spec.name} (${Object.values(spec.env).join('/')} or ${spec.dir}): ${spec.howTo}`;
  if (!found && !said.has(spec.name)) {
    said.add(spec.name);
    process.stdout.write(`${missing}\n`);
  }
  return { name: spec.name, files: found ? files : {}, found, missing };
}

/** BuildKit's daemon and client (static binaries; CI has them in ../shared/tools/buildkit). */
export function buildkitPart(): Part {
  return optionalPart({
    name: 'BuildKit buildkitd + buildctl',
    env: { buildkitd: 'IMAGEFLEET_BUILDKITD', buildctl: 'IMAGEFLEET_BUILDCTL' },
    dir: '../shared/tools/buildkit',
    howTo: 'a BuildKit release (github.com/moby/buildkit/releases) unpacked there, or the two variables set',
  });
}
