import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, mkdir, copyFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedactor, runCommand } from '@imagefleet/process';
import { createBuilder } from './factory.js';
import { parsePushDigest, pushDigestReader } from './output.js';
import { withSecretFiles } from './secret-files.js';

const DOCKER = process.env['IMAGEFLEET_DOCKER'] ?? '/usr/bin/docker';

describe('withSecretFiles', () => {
  it('writes each value to a 0600 file in a 0700 directory, and removes it afterwards', async () => {
    const value = 'line one\nline two $HOME ${USER}';
    let seen: Record<string, string> = {};
    const got = await withSecretFiles(
      { service: 'api', names: ['NPM_TOKEN', 'DOCKER_HOST'], values: { NPM_TOKEN: value, DOCKER_HOST: 'tcp://x:1' } },
      async (files) => {
        seen = files;
        expect(statSync(dirname(files['NPM_TOKEN']!)).mode & 0o777).toBe(0o700);
        expect(statSync(files['NPM_TOKEN']!).mode & 0o777).toBe(0o600);
        expect(await readFile(files['NPM_TOKEN']!, 'utf8')).toBe(value);
        expect(await readFile(files['DOCKER_HOST']!, 'utf8')).toBe('tcp://x:1');
        return 42;
      },
    );
    expect(got).toBe(42);
    expect(existsSync(dirname(seen['NPM_TOKEN']!))).toBe(false);
  });

  it('removes the files when the build throws', async () => {
    let dir = '';
    await expect(
      withSecretFiles({ service: 'api', names: ['T'], values: { T: 'value' } }, async (files) => {
        dir = dirname(files['T']!);
        throw new Error('build failed');
      }),
    ).rejects.toThrow('build failed');
    expect(dir).not.toBe('');
    expect(existsSync(dir)).toBe(false);
  });

  it('names a secret without a value, before writing anything', async () => {
    await expect(withSecretFiles({ service: 'api', names: ['T'], values: {} }, async () => 1)).rejects.toThrow(
      'secret T needed by service api has no value',
    );
  });
});

describe('parse raw output: a secret cannot break the pushed digest', () => {
  it('reads the digest from raw lines while the log gets redacted ones', async () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    const reader = pushDigestReader();
    const logged: string[] = [];
    const r = await runCommand('sh', ['-c', `echo "5f70bf18a086: Pushed"; echo "dev: digest: ${digest} size: 528"`], {
      redact: createRedactor(['a']),
      onRawLine: reader.line,
      onLine: (line) => logged.push(line),
    });
    expect(r.ok).toBe(true);
    expect(reader.digest()).toBe(digest);
    expect(parsePushDigest(r.stdout)).toBeNull(); // why parsers must not read the redacted text
    expect(logged.join('\n')).not.toContain(digest);
  });
});

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
        const cmd = createBuilder({ driver: 'docker', docker: DOCKER }).buildCommand({ ...spec, secretFiles }, values);
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
