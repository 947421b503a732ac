/**
 * GC in a cluster script's registry container, against a recorded fake `docker` (no registry
 * image can be pulled here): the container found by the published port, a dry run before the
 * real collection, the registry:3 config path when registry:2's is absent.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { collectInContainer, findRegistryContainer, isClusterRegistryName } from './container-gc.js';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A `docker` that logs its argv and answers `ps` with `names`; `exec … CONFIG` fails for `missing`. */
function fakeDocker(names: string, missing = ''): { docker: string; calls: () => string[] } {
  dir = mkdtempSync(path.join(tmpdir(), 'container-gc-'));
  const log = path.join(dir, 'calls.log');
  const docker = path.join(dir, 'docker');
  writeFileSync(
    docker,
    [
      '#!/bin/sh',
      `echo "$*" >>'${log}'`,
      'case $1 in',
      `  ps) printf '${names}' ;;`,
      `  exec) for a; do last=$a; done; [ "$last" != '${missing}' ] || { echo "open $last: no such file or directory" >&2; exit 1; }`,
      '    echo "ameide/alpha"; echo "12 blobs marked, 3 blobs and 0 manifests eligible for deletion" ;;',
      'esac',
      '',
    ].join('\n'),
  );
  chmodSync(docker, 0o755);
  return { docker, calls: () => readFileSync(log, 'utf8').trim().split('\n') };
}

const slots = () => ({ slotsDir: path.join(dir, 'slots'), slots: 2, say: () => undefined });

describe('findRegistryContainer', () => {
  test.each([
    ['k3d-ameide.localhost\n', { target: { container: 'k3d-ameide.localhost' } }],
    ['kind-registry\n', { target: { container: 'kind-registry' } }],
    ['', { skip: 'no container publishes port 5001' }],
    ['registry\n', { skip: 'port 5001 is published by registry, not a k3d-<name> or kind-registry container' }],
  ])('%j', async (names, expected) => {
    const { docker, calls } = fakeDocker(names);
    expect(await findRegistryContainer(docker, '5001')).toMatchObject(expected);
    expect(calls()).toEqual(['ps --filter publish=5001 --format {{.Names}}']);
  });

  test('names', () => {
    expect(['k3d-x', 'kind-registry', 'k3d-', 'registry'].map(isClusterRegistryName)).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('collectInContainer', () => {
  test('dry run first, then the collection, inside the container', async () => {
    const { docker, calls } = fakeDocker('');
    const outcome = await collectInContainer({ docker, container: 'kind-registry' }, slots());
    expect(calls()).toEqual([
      'exec kind-registry registry garbage-collect --dry-run /etc/docker/registry/config.yml',
      'exec kind-registry registry garbage-collect /etc/docker/registry/config.yml',
    ]);
    expect(outcome).toEqual({
      status: 'collected',
      detail: 'kind-registry: 12 blobs marked, 3 blobs and 0 manifests eligible for deletion (--delete-untagged=false)',
    });
  });

  test("registry:3's config path when registry:2's is absent", async () => {
    const { docker, calls } = fakeDocker('', '/etc/docker/registry/config.yml');
    const outcome = await collectInContainer({ docker, container: 'k3d-r' }, slots());
    expect(outcome.status).toBe('collected');
    expect(calls().slice(1)).toEqual([
      'exec k3d-r registry garbage-collect --dry-run /etc/distribution/config.yml',
      'exec k3d-r registry garbage-collect /etc/distribution/config.yml',
    ]);
  });
});
