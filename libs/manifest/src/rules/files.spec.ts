import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { loadManifest } from '../load.js';
import { issuesFor, lines, REGISTRY } from '../testing/issues.js';
import { makeTree, removeTrees } from '../testing/tmpdir.js';

afterEach(removeTrees);

test('a missing default context is placed at the service', async () => {
  const yaml = lines(...REGISTRY, 'services:', '  web:');
  expect(await issuesFor({ 'services.manifest.yaml': yaml })).toEqual([
    '5:3 services.web.context: context directory apps/web does not exist: create it or set services.web.context',
  ]);
});

test('a missing explicit context is placed at its value, shown relative to the manifest', async () => {
  const yaml = lines(...REGISTRY, 'services:', '  web:', '    context: ./frontend/web/');
  expect(await issuesFor({ 'services.manifest.yaml': yaml })).toEqual([
    '6:14 services.web.context: context directory frontend/web does not exist: create it or set services.web.context',
  ]);
});

test('a context that is a file', async () => {
  const yaml = lines(...REGISTRY, 'services:', '  web:', '    context: web.tar');
  expect(await issuesFor({ 'services.manifest.yaml': yaml, 'web.tar': '' })).toEqual([
    '6:14 services.web.context: context web.tar is not a directory: point services.web.context at the directory to build',
  ]);
});

test('a missing default Dockerfile is placed at the service', async () => {
  const yaml = lines(...REGISTRY, 'services:', '  web:');
  expect(await issuesFor({ 'services.manifest.yaml': yaml, 'apps/web/Containerfile': 'FROM scratch' })).toEqual([
    '5:3 services.web.dockerfile: Dockerfile apps/web/Dockerfile does not exist: add it or set services.web.dockerfile (relative to the context)',
  ]);
});

test('a missing explicit Dockerfile is placed at its value', async () => {
  const yaml = lines(...REGISTRY, 'services:', '  web:', '    dockerfile: docker/Dockerfile.prod');
  expect(await issuesFor({ 'services.manifest.yaml': yaml, 'apps/web/Dockerfile': 'FROM scratch' })).toEqual([
    '6:17 services.web.dockerfile: Dockerfile apps/web/docker/Dockerfile.prod does not exist: add it or set services.web.dockerfile (relative to the context)',
  ]);
});

test('defaults.dockerfile applies to every service', async () => {
  const yaml = lines(...REGISTRY, 'defaults:', '  dockerfile: Containerfile', 'services:', '  a:', '  b:');
  expect(
    await issuesFor({
      'services.manifest.yaml': yaml,
      'apps/a/Containerfile': 'FROM scratch',
      'apps/b/Dockerfile': 'FROM scratch',
    }),
  ).toEqual([
    '8:3 services.b.dockerfile: Dockerfile apps/b/Containerfile does not exist: add it or set services.b.dockerfile (relative to the context)',
  ]);
});

test('a Dockerfile that is a directory', async () => {
  const yaml = lines(...REGISTRY, 'services:', '  web:');
  expect(await issuesFor({ 'services.manifest.yaml': yaml, 'apps/web/Dockerfile/': '' })).toEqual([
    '5:3 services.web.dockerfile: Dockerfile apps/web/Dockerfile does not exist: add it or set services.web.dockerfile (relative to the context)',
  ]);
});

test('a context outside the workspace is refused at its value', async () => {
  const yaml = lines(...REGISTRY, 'services:', '  web:', '    context: ../elsewhere');
  const issues = await issuesFor({ 'ws/services.manifest.yaml': yaml, 'elsewhere/Dockerfile': 'FROM scratch' }, 'ws');
  expect(issues).toEqual([
    expect.stringMatching(
      /^6:14 services\.web\.context: context \.\.\/elsewhere is outside the workspace \/.*\/ws: move the service under it/,
    ),
  ]);
});

test('a context that is a symlink to a directory outside the workspace is refused, naming where it points', async () => {
  const yaml = lines(...REGISTRY, 'services:', '  web:');
  const issues = await issuesFor(
    { 'ws/services.manifest.yaml': yaml, 'elsewhere/Dockerfile': 'FROM scratch', 'ws/apps/': '' },
    'ws',
    (root) => symlinkSync(path.join(root, 'elsewhere'), path.join(root, 'ws/apps/web')),
  );
  expect(issues).toEqual([
    expect.stringMatching(
      /^5:3 services\.web\.context: context apps\/web \(a symlink to \.\.\/elsewhere\) is outside the workspace/,
    ),
  ]);
});

test('a symlink to a directory inside the workspace is a context like any other', async () => {
  const yaml = lines(...REGISTRY, 'services:', '  web:');
  const root = makeTree({ 'services.manifest.yaml': yaml, 'src/web/Dockerfile': 'FROM scratch', 'apps/': '' });
  symlinkSync(path.join(root, 'src/web'), path.join(root, 'apps/web'));
  await expect(loadManifest(path.join(root, 'services.manifest.yaml'))).resolves.toBeTruthy();
});
