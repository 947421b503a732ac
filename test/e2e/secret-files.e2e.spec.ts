import { mkdtemp, rm, symlink, mkdir, copyFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuilder, withSecretFiles } from '@imagefleet/buildkit';
import { createRedactor, runCommand } from '@imagefleet/process';

const DOCKER = process.env['IMAGEFLEET_DOCKER'] ?? '/usr/bin/docker';

/**
 * The Dockerfile side against the real engine: `RUN --mount=type=secret,id=NAME` reads a secret
 * passed as a file, and a secret named DOCKER_HOST does not redirect the docker CLI.
 */
describe('secret files through BuildKit (real engine)', () => {
  const base = `imagefleet-spec/busybox:${process.pid}`;
  const image = `imagefleet-spec/secret-files:${process.pid}`;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'secret-build-'));
    const rootfs = join(dir, 'rootfs');
    await mkdir(join(rootfs, 'bin'), { recursive: true });
    await copyFile('/bin/busybox', join(rootfs, 'bin', 'busybox'));
    for (const applet of ['sh', 'cat', 'wc', 'test']) await symlink('busybox', join(rootfs, 'bin', applet));
    const tar = await runCommand('tar', ['-C', rootfs, '-cf', join(dir, 'rootfs.tar'), '.']);
    expect(tar.reason).toBe('');
    const imported = await runCommand(DOCKER, ['import', join(dir, 'rootfs.tar'), base]);
    expect(imported.reason).toBe('');
  });
  afterAll(async () => {
    await runCommand(DOCKER, ['image', 'rm', '--force', image, base]);
    await rm(dir, { recursive: true, force: true });
  });

  it('RUN --mount=type=secret reads the file; DOCKER_HOST as a secret does not steer the CLI', async () => {
    const context = join(dir, 'context');
    await mkdir(context);
    const value = 'pa$$w0rd$HOME-${USER}z';
    await writeFile(
      join(context, 'Dockerfile'),
      [
        `FROM ${base}`,
        // Prints the byte count only: the build log is not where a value should show.
        `RUN --mount=type=secret,id=DOCKER_HOST --mount=type=secret,id=NPM_TOKEN test "$(cat /run/secrets/DOCKER_HOST)" = "tcp://127.0.0.1:9" && echo "npm-token-bytes=$(wc -c < /run/secrets/NPM_TOKEN)"`,
        '',
      ].join('\n'),
    );
    const spec = {
      service: 'secret-spec',
      context,
      dockerfile: join(context, 'Dockerfile'),
      tags: [image],
      buildArgs: {},
      secrets: ['DOCKER_HOST', 'NPM_TOKEN'],
      labels: {},
      annotations: {},
      iidFile: join(dir, 'iid'),
    };
    const values = { DOCKER_HOST: 'tcp://127.0.0.1:9', NPM_TOKEN: value };
    const lines: string[] = [];
    const result = await withSecretFiles(
      { service: spec.service, names: spec.secrets, values },
      async (secretFiles) => {
        const cmd = createBuilder({ driver: 'docker', docker: DOCKER }).buildCommand({ ...spec, secretFiles });
        expect(cmd.env).toEqual({ DOCKER_BUILDKIT: '1' });
        return runCommand(cmd.file, cmd.args, {
          env: cmd.env,
          redact: createRedactor(Object.values(values)),
          onLine: (l) => lines.push(l),
          timeoutMs: 120_000,
        });
      },
    );
    expect(result.reason).toBe('');
    expect(lines.join('\n')).toContain(`npm-token-bytes=${Buffer.byteLength(value)}`);
    expect(lines.join('\n')).not.toContain('127.0.0.1:9');
  });
});
