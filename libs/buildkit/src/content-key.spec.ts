import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { contentKey, contentTag, contextDigest, type ContentKeyInput } from './content-key.js';

const dirs: string[] = [];
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ck-'));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function input(dir: string, over: Partial<ContentKeyInput> = {}): ContentKeyInput {
  return { context: dir, dockerfile: join(dir, 'Dockerfile'), buildArgs: {}, secrets: [], baseDigests: {}, ...over };
}

const base = {
  Dockerfile: 'FROM x\nCOPY . /app\n',
  'src/a.sh': 'echo a',
  '.dockerignore': '*.md\nnode_modules\n!keep.md\n',
};

describe('content key', () => {
  it('is stable for the same inputs and independent of file creation order', async () => {
    const a = tree(base);
    const b = tree(Object.fromEntries(Object.entries(base).reverse()));
    expect(await contentKey(input(a))).toBe(await contentKey(input(b)));
  });

  it.each([
    ['a README excluded by .dockerignore', { 'README.md': 'docs' }, false],
    ['a file under an excluded directory', { 'node_modules/x/index.js': 'x' }, false],
    ['a re-included file (!keep.md)', { 'keep.md': 'kept' }, true],
    ['a source file', { 'src/b.sh': 'echo b' }, true],
  ])('%s → key changes: %s', async (_name, extra, changes) => {
    const before = await contentKey(input(tree(base)));
    const after = await contentKey(input(tree({ ...base, ...extra })));
    expect(after !== before).toBe(changes);
  });

  it.each([
    ['a build arg', { buildArgs: { A: '1' } }],
    ['a secret name', { secrets: ['GIT_AUTH_TOKEN'] }],
    ['a base image digest', { baseDigests: { 'platform-base': `sha256:${'1'.repeat(64)}` } }],
  ])('changes with %s', async (_name, over) => {
    const dir = tree(base);
    expect(await contentKey(input(dir, over))).not.toBe(await contentKey(input(dir)));
  });

  it('changes with the Dockerfile, a file mode and a symlink target', async () => {
    const dir = tree(base);
    const k0 = await contentKey(input(dir));
    chmodSync(join(dir, 'src/a.sh'), 0o755);
    const k1 = await contentKey(input(dir));
    expect(k1).not.toBe(k0);
    symlinkSync('a.sh', join(dir, 'src/link'));
    const k2 = await contextDigest(dir);
    rmSync(join(dir, 'src/link'));
    symlinkSync('other', join(dir, 'src/link'));
    expect(await contextDigest(dir)).not.toBe(k2);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM y\n');
    expect(await contentKey(input(dir))).not.toBe(k1);
  });

  it('makes a valid registry tag', () => {
    const tag = contentTag('ab'.repeat(32));
    expect(tag).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/);
    expect(tag).toBe(`content-${'ab'.repeat(16)}`);
  });
});

describe('content key across runs in one process', () => {
  it('sees a .dockerignore exception added between two runs (nothing about the ignore file is kept)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-'));
    try {
      mkdirSync(join(dir, 'data'));
      writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
      writeFileSync(join(dir, 'data', 'keep.txt'), 'one');
      writeFileSync(join(dir, '.dockerignore'), 'data\n');
      const key = () =>
        contentKey({ context: dir, dockerfile: join(dir, 'Dockerfile'), buildArgs: {}, secrets: [], baseDigests: {} });
      const first = await key();
      writeFileSync(join(dir, 'data', 'keep.txt'), 'two');
      expect(await key()).toBe(first); // ignored: no change
      writeFileSync(join(dir, '.dockerignore'), 'data\n!data/keep.txt\n');
      const withException = await key();
      expect(withException).not.toBe(first);
      writeFileSync(join(dir, 'data', 'keep.txt'), 'three');
      expect(await key()).not.toBe(withException);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
