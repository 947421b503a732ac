import { afterEach, describe, expect, test } from 'vitest';
import { OCI_MANIFEST, sha256Digest } from '@imagefleet/registry';
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

/** An image in the fake registry whose config carries `labels`. */
function image(registry: ReturnType<typeof createFakeRegistry>, tag: string, labels: Record<string, string>): string {
  const config = Buffer.from(JSON.stringify({ config: { Labels: labels } }));
  registry.blobs.set(sha256Digest(config), config);
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha256Digest(config),
        size: config.length,
      },
      layers: [],
    }),
  );
  return registry.addImage('ameide/a', tag, bytes);
}

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
  test('the right revision and content key pass', async () => {
    const { registry, ctx } = setup(['dev'], clean);
    const digest = image(registry, 'dev', { [REVISION_LABEL]: SHA, [CONTENT_KEY_LABEL]: KEY });
    expect(await checkIdentity(ctx, digest, { contentKey: KEY, built: true })).toBe('');
  });

  test('a stale image (another revision) under a fresh tag fails', async () => {
    const { registry, ctx } = setup(['dev'], clean);
    const digest = image(registry, 'dev', {
      [REVISION_LABEL]: '1111111111111111111111111111111111111111',
      [CONTENT_KEY_LABEL]: KEY,
    });
    expect(await checkIdentity(ctx, digest, { contentKey: KEY, built: true })).toMatch(
      /carries revision 1111111111111111111111111111111111111111, not 9fceb02/,
    );
  });

  test('an image of other content fails; an unchanged image from before the label passes on its content tag', async () => {
    const { registry, ctx } = setup(['dev'], clean);
    const other = image(registry, 'dev', { [REVISION_LABEL]: SHA, [CONTENT_KEY_LABEL]: 'ff'.repeat(16) });
    expect(await checkIdentity(ctx, other, { contentKey: KEY, built: false })).toMatch(
      /carries content key ffff.*not ab12/,
    );
    const old = image(registry, 'old', {});
    expect(await checkIdentity(ctx, old, { contentKey: KEY, built: false })).toBe('');
  });
});
