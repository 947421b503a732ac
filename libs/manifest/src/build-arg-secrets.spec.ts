import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { loadManifest } from './load.js';
import { loadSecretValues, SecretValueError } from './secrets.js';
import { lines, REGISTRY } from './testing/issues.js';
import { makeTree, removeTrees } from './testing/tmpdir.js';

afterEach(removeTrees);

const TOKEN = 'ghp-very-secret-value';

async function setup(noise: string, dotenv = `GIT_AUTH_TOKEN=${TOKEN}\n`) {
  const root = makeTree({
    'services.manifest.yaml': lines(
      ...REGISTRY,
      'services:',
      '  agents-runtime:',
      '    secrets: [GIT_AUTH_TOKEN]',
      '  www-ameide:',
      '    buildArgs:',
      `      NOISE: "${noise}"`,
      '      VERSION: "1.2"',
    ),
    'apps/agents-runtime/Dockerfile': 'FROM scratch',
    'apps/www-ameide/Dockerfile': 'FROM scratch',
    '.env': dotenv,
  });
  const file = path.join(root, 'services.manifest.yaml');
  return { file, manifest: await loadManifest(file), dotenvFile: path.join(root, '.env') };
}

function refusal(fn: () => unknown): SecretValueError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SecretValueError) return error;
    throw error;
  }
  throw new Error('expected a SecretValueError');
}

describe('a build arg holding a secret value is refused before building', () => {
  test.each([
    ['the whole value', TOKEN],
    ['inside a URL', `https://x:${TOKEN}@git.example.com/repo`],
  ])('%s: names the file, service, build arg and secret, never the value', async (_name, noise) => {
    const { file, manifest, dotenvFile } = await setup(noise);
    // The build arg belongs to www-ameide, which names no secret itself: its build is refused all the same.
    const error = refusal(() => loadSecretValues(manifest, { env: {}, dotenvFile, services: ['www-ameide'] }));
    expect(error.message).toBe(
      `${file}:7 service www-ameide: build arg NOISE holds the value of secret GIT_AUTH_TOKEN; build args are stored in the image config and pushed with it: drop the build arg and pass secrets: [GIT_AUTH_TOKEN] (RUN --mount=type=secret,id=GIT_AUTH_TOKEN)`,
    );
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(TOKEN);
  });

  test('a value from the environment counts too', async () => {
    const { manifest, dotenvFile } = await setup('env-only-token', '');
    expect(() =>
      loadSecretValues(manifest, { env: { GIT_AUTH_TOKEN: 'env-only-token' }, dotenvFile, services: ['www-ameide'] }),
    ).toThrow(/build arg NOISE holds the value of secret GIT_AUTH_TOKEN/);
  });

  test('a short secret is matched only as the whole value, so "1.2" in VERSION is no match for a 4-character one', async () => {
    const { manifest, dotenvFile } = await setup('plain', 'GIT_AUTH_TOKEN=v1.2\n');
    expect(loadSecretValues(manifest, { env: {}, dotenvFile, services: ['www-ameide'] })).toEqual({});
  });
});

describe('a key set twice in .env', () => {
  test('is a warning naming the file and the line used, when a selected service needs it', async () => {
    const { manifest, dotenvFile } = await setup(
      'plain',
      `GIT_AUTH_TOKEN=old-value\nOTHER=x\nGIT_AUTH_TOKEN=${TOKEN}\n`,
    );
    const warnings: string[] = [];
    const values = loadSecretValues(manifest, { env: {}, dotenvFile, onWarning: (l) => warnings.push(l) });
    expect(values).toEqual({ GIT_AUTH_TOKEN: TOKEN });
    expect(warnings).toEqual([
      `${dotenvFile}:3 GIT_AUTH_TOKEN is set 2 times (lines 1, 3): the last one is used; delete the others`,
    ]);
    const none: string[] = [];
    loadSecretValues(manifest, { env: {}, dotenvFile, services: ['www-ameide'], onWarning: (l) => none.push(l) });
    expect(none).toEqual([]);
  });
});
