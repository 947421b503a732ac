import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRedactor, runCommand } from '@imagefleet/process';
import { parsePushDigest, pushDigestReader } from './output.js';
import { withSecretFiles } from './secret-files.js';

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
