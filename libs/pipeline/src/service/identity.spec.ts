import { afterEach, describe, expect, test } from 'vitest';
import { createRunContext, serviceContext } from './context.js';
import { checkIdentity, withIdentity, REVISION_LABEL, CONTENT_KEY_LABEL } from './identity.js';
import { createFakeRegistry, tempWorkspace } from '../testing/fakes.js';
import type { SourceRead } from '../source.js';

const cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

const SHA = '9fceb02d0ae598e95dc970b74767f19372d61af8';
const KEY = 'ab12cd34ef56ab12cd34ef56ab12cd34';

function setup(tags: string[], source: SourceRead) {
  const ws = tempWorkspace([{ name: 'a', tags }]);
  cleanup.push(ws.remove);
  const registry = createFakeRegistry();
  const run = createRunContext(ws.manifest, {
    runId: '20261202T164500Z-42',
    env: {},
    signal: new AbortController().signal,
    registry: registry.asRun(),
    source,
  });
  return { registry, ctx: serviceContext(run, ws.manifest.services[0]!) };
}
const clean: SourceRead = {
  ok: true,
  facts: { sha: SHA, dirty: false, branch: 'main', timestamp: '1700000100', url: 'https://git.example.com/app.git' },
};

describe('withIdentity', () => {
  test('renders the templates and completes the labels', () => {
    const { ctx } = setup(['dev', 'dev-{shortSha}-{timestamp}', 'c-{contentKey}'], clean);
    const done = withIdentity(ctx, KEY);
    if ('error' in done) throw new Error(done.error);
    expect(done.service.tags).toEqual(['dev', 'dev-9fceb02-1700000100', `c-${KEY}`]);
    expect(done.version).toBe('dev-9fceb02-1700000100');
    expect(done.labels).toMatchObject({
      [REVISION_LABEL]: SHA,
      'org.opencontainers.image.source': 'https://git.example.com/app.git',
      'org.opencontainers.image.version': 'dev-9fceb02-1700000100',
      [CONTENT_KEY_LABEL]: KEY,
    });
  });

  test('a dirty tree: -dirty on the sha and the revision', () => {
    const { ctx } = setup(['dev', 'dev-{shortSha}-{timestamp}'], { ok: true, facts: { ...clean.facts, dirty: true } });
    expect(withIdentity(ctx, KEY)).toMatchObject({
      service: { tags: ['dev', 'dev-9fceb02-dirty-1700000100'] },
      labels: { [REVISION_LABEL]: `${SHA}-dirty` },
    });
  });

  test.each([
    [
      ['dev', 'dev-{shortSha}-{timestamp}'],
      { ok: false, reason: '/w is not a git work tree' } as SourceRead,
      'tag template "dev-{shortSha}-{timestamp}" needs git: /w is not a git work tree',
    ],
    [
      ['dev', '{branch}-{shortSha}'],
      { ok: true, facts: { ...clean.facts, branch: '' } } as SourceRead,
      'needs a branch, and HEAD is detached',
    ],
  ])('%j cannot render: %s', (tags, source, message) => {
    expect(withIdentity(setup(tags, source).ctx, KEY)).toEqual({ error: expect.stringContaining(message) });
  });
});

describe('checkIdentity: the pushed config must say it is this build', () => {
  const DIGEST = `sha256:${'d'.repeat(64)}`;

  test('the right revision and content key pass', () => {
    const { ctx } = setup(['dev'], clean);
    const labels = [{ [REVISION_LABEL]: SHA, [CONTENT_KEY_LABEL]: KEY }];
    expect(checkIdentity(ctx, DIGEST, labels, { contentKey: KEY, built: true })).toBe('');
  });

  test('a stale image (another revision) under a fresh tag fails', () => {
    const { ctx } = setup(['dev'], clean);
    const labels = [{ [REVISION_LABEL]: '1111111111111111111111111111111111111111', [CONTENT_KEY_LABEL]: KEY }];
    expect(checkIdentity(ctx, DIGEST, labels, { contentKey: KEY, built: true })).toMatch(
      /carries revision 1111111111111111111111111111111111111111, not 9fceb02/,
    );
  });

  test('an image of other content fails; an unchanged image from before the label passes on its content tag', () => {
    const { ctx } = setup(['dev'], clean);
    const other = [{ [REVISION_LABEL]: SHA, [CONTENT_KEY_LABEL]: 'ff'.repeat(16) }];
    expect(checkIdentity(ctx, DIGEST, other, { contentKey: KEY, built: false })).toMatch(
      /carries content key ffff.*not ab12/,
    );
    expect(checkIdentity(ctx, DIGEST, [{}], { contentKey: KEY, built: false })).toBe('');
    expect(checkIdentity(ctx, DIGEST, [{}], { contentKey: KEY, built: true })).toMatch(/carries content key none/);
  });

  test('every image of an index must say it; no image config at all fails', () => {
    const { ctx } = setup(['dev'], clean);
    const good = { [REVISION_LABEL]: SHA, [CONTENT_KEY_LABEL]: KEY };
    expect(
      checkIdentity(ctx, DIGEST, [good, { ...good, [REVISION_LABEL]: 'f'.repeat(40) }], {
        contentKey: KEY,
        built: true,
      }),
    ).toMatch(/carries revision f{40}/);
    expect(checkIdentity(ctx, DIGEST, [], { contentKey: KEY, built: true })).toMatch(
      /no image config to check the revision in/,
    );
  });
});
