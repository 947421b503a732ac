/**
 * The content key of a build: everything that decides the image, hashed. Same key ⇒ same image,
 * so a registry that holds a verified image under the key's tag needs no build and no push.
 *
 * In: the build context as the builder sees it (`.dockerignore` applied, Docker's own matcher
 * semantics via @balena/dockerignore), file modes and symlink targets, the Dockerfile, build
 * args, secret *names* (values never: they are not in BuildKit's cache key either), and the
 * digests of the images built FROM. Not in: tags and hosts (where an image goes is not what it is).
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import dockerignore from '@balena/dockerignore';

export interface ContentKeyInput {
  context: string;
  dockerfile: string;
  buildArgs: Record<string, string>;
  secrets: string[];
  /** dependency service → manifest digest it was built FROM. */
  baseDigests: Record<string, string>;
}

/** Bump when what goes into the key changes, so old keys stop matching. */
const KEY_VERSION = 1;

export async function contentKey(input: ContentKeyInput): Promise<string> {
  const [context, dockerfile] = await Promise.all([contextDigest(input.context), readFile(input.dockerfile)]);
  const material = JSON.stringify({
    v: KEY_VERSION,
    context,
    dockerfile: sha256(dockerfile),
    buildArgs: sortedEntries(input.buildArgs),
    secrets: [...input.secrets].sort(),
    bases: sortedEntries(input.baseDigests),
  });
  return sha256(Buffer.from(material));
}

/** The registry tag that carries a content key. */
export function contentTag(key: string): string {
  return `content-${key.slice(0, 32)}`;
}

/** sha256 over the sorted list of (path, type+mode, content hash) of every file the builder would send. */
export async function contextDigest(context: string): Promise<string> {
  // Read on every call, never kept: a process may compute keys for many runs (the Nx daemon, a
  // test), and an edited .dockerignore must change the next key.
  const patterns = await readIgnoreFile(context);
  const ignore = dockerignore().add(patterns);
  const hasExceptions = patterns.some((p) => p.startsWith('!'));
  const lines: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    await Promise.all(
      entries.map(async (entry) => {
        const abs = join(dir, entry.name);
        const rel = relative(context, abs).split('\\').join('/');
        if (ignore.ignores(rel)) {
          // An excluded directory may still hold re-included files ("!dir/keep"): descend then.
          if (!entry.isDirectory() || !hasExceptions) return;
        }
        const stat = await lstat(abs);
        if (stat.isDirectory()) return walk(abs);
        if (ignore.ignores(rel)) return;
        if (stat.isSymbolicLink()) lines.push(`${rel}\0l\0${await readlink(abs)}`);
        else if (stat.isFile())
          lines.push(`${rel}\0${(stat.mode & 0o777).toString(8)}\0${sha256(await readFile(abs))}`);
      }),
    );
  };
  await walk(context);
  return sha256(Buffer.from(lines.sort().join('\n')));
}

async function readIgnoreFile(context: string): Promise<string[]> {
  try {
    const text = await readFile(join(context, '.dockerignore'), 'utf8');
    return text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
  } catch {
    return [];
  }
}

function sortedEntries(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
