/**
 * Optional parts: something a suite needs that no package ships (BuildKit's daemon, a second
 * engine), found where the environment says or beside the repository. When it is missing the
 * suite prints ONE line — what it needs and how to get it — and skips; CI has every part, so
 * there the suites run.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
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

function part(name: string, files: Record<string, string>, found: boolean, missing: string): Part {
  if (!found && !said.has(name)) {
    said.add(name);
    process.stdout.write(`${missing}\n`);
  }
  return { name, files: found ? files : {}, found, missing: found ? '' : missing };
}

/** Look the part up; print its one line the first time it is found missing. */
export function optionalPart(spec: PartSpec): Part {
  const files: Record<string, string> = {};
  for (const [role, variable] of Object.entries(spec.env)) {
    const file = process.env[variable] || join(REPO_ROOT, spec.dir, role);
    if (existsSync(file)) files[role] = file;
  }
  const found = Object.keys(files).length === Object.keys(spec.env).length;
  return part(
    spec.name,
    files,
    found,
    `skipped: needs ${spec.name} (${Object.values(spec.env).join('/')} or ${spec.dir}): ${spec.howTo}`,
  );
}

/**
 * The docker-buildx CLI plugin, where the docker CLI looks for it: the config dir's cli-plugins
 * (DOCKER_CONFIG, else ~/.docker), then the system dirs. Debian 12's docker.io ships none.
 */
export function buildxPart(): Part {
  const config = process.env['DOCKER_CONFIG'] || join(homedir(), '.docker');
  const dirs = [
    join(config, 'cli-plugins'),
    '/usr/local/lib/docker/cli-plugins',
    '/usr/local/libexec/docker/cli-plugins',
    '/usr/lib/docker/cli-plugins',
    '/usr/libexec/docker/cli-plugins',
  ];
  const plugin = dirs.map((dir) => join(dir, 'docker-buildx')).find((file) => existsSync(file));
  return part(
    'docker-buildx',
    plugin ? { plugin } : {},
    plugin !== undefined,
    `skipped: needs the docker-buildx CLI plugin (in ${dirs[0]} or ${dirs.slice(1).join(', ')}): ` +
      'bash tools/dev-env/up.sh --with-buildx',
  );
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
