import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { ManifestError } from './errors.js';
import { loadManifest } from './load.js';
import { lines, REGISTRY } from './testing/issues.js';
import { makeTree, removeTrees } from './testing/tmpdir.js';

afterEach(removeTrees);

const load = (yaml: string, env: NodeJS.ProcessEnv) =>
  loadManifest(
    path.join(
      makeTree({ 'services.manifest.yaml': yaml, 'apps/web/Dockerfile': 'FROM scratch' }),
      'services.manifest.yaml',
    ),
    {
      env,
    },
  );

const BUILDCTL = lines(
  ...REGISTRY,
  'builder:',
  '  driver: buildctl',
  '  endpoint: tcp://a:1234',
  'services:',
  '  web:',
);

test('the environment wins over the manifest, and the manifest records each replacement', async () => {
  const m = await load(BUILDCTL, {
    BUILDKIT_HOST: 'tcp://buildkitd:1234',
    IMAGEFLEET_PUSH_HOST: 'localhost:5001',
    IMAGEFLEET_JOBS: '4',
    IMAGEFLEET_BUILDER: 'ameide-k8s',
  });
  expect(m.builder.endpoint).toBe('tcp://buildkitd:1234');
  expect(m.registry.pushHost).toBe('localhost:5001');
  // A replaced push host changes what follows from it, as if written.
  expect(m.registry.builderHost).toBe('localhost:5001');
  expect(m.concurrency.build).toBe(4);
  expect(m.builder.name).toBe('ameide-k8s');
  expect(m.overrides.map((o) => `${o.env} → ${o.field}`)).toEqual([
    'IMAGEFLEET_PUSH_HOST → registry.pushHost',
    'IMAGEFLEET_JOBS → concurrency.build',
    'IMAGEFLEET_BUILDER → builder.name',
    'BUILDKIT_HOST → builder.endpoint',
  ]);
});

test('BUILDKIT_HOST is buildctl’s: with the docker driver it is left alone', async () => {
  const m = await load(lines(...REGISTRY, 'services:', '  web:'), { BUILDKIT_HOST: 'tcp://buildkitd:1234' });
  expect(m.builder.endpoint).toBeNull();
  expect(m.overrides).toEqual([]);
});

test.each([
  ['IMAGEFLEET_JOBS', 'many', 'IMAGEFLEET_JOBS=many is not a whole number'],
  ['BUILDKIT_HOST', 'buildkitd', 'BUILDKIT_HOST=buildkitd: "buildkitd" is not an address'],
])('a bad %s is a manifest issue naming the variable', async (env, value, message) => {
  const error = await load(BUILDCTL, { [env]: value }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ManifestError);
  expect((error as ManifestError).message).toContain(message);
});
