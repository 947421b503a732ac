import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { SecretsError } from './errors.js';
import { loadManifest } from './load.js';
import { loadSecretValues, SecretValueError } from './secrets.js';
import { lines, REGISTRY } from './testing/issues.js';
import { makeTree, removeTrees } from './testing/tmpdir.js';

afterEach(removeTrees);

const MANIFEST = lines(
  ...REGISTRY,
  'defaults:',
  '  secrets: [GIT_AUTH_TOKEN]',
  'services:',
  '  web:',
  '  agents-runtime:',
  '    secrets: [NPM_TOKEN]',
  '  worker:',
  '    secrets: [NPM_TOKEN]',
);

async function setup(dotenv?: string) {
  const root = makeTree({
    'services.manifest.yaml': MANIFEST,
    'apps/web/Dockerfile': 'FROM scratch',
    'apps/agents-runtime/Dockerfile': 'FROM scratch',
    'apps/worker/Dockerfile': 'FROM scratch',
    ...(dotenv === undefined ? {} : { '.env': dotenv }),
  });
  return {
    manifest: await loadManifest(path.join(root, 'services.manifest.yaml')),
    dotenvFile: path.join(root, '.env'),
  };
}

function thrown(fn: () => unknown): SecretsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SecretsError) return error;
    throw error;
  }
  throw new Error('expected a SecretsError');
}

describe('loadSecretValues', () => {
  test('reads .env without touching process.env, and returns only the needed names', async () => {
    const { manifest, dotenvFile } = await setup(
      'GIT_AUTH_TOKEN=ghp-from-dotenv\nNPM_TOKEN="npm from dotenv"\nUNUSED=x\n',
    );
    expect(loadSecretValues(manifest, { env: {}, dotenvFile })).toEqual({
      GIT_AUTH_TOKEN: 'ghp-from-dotenv',
      NPM_TOKEN: 'npm from dotenv',
    });
    expect(process.env['GIT_AUTH_TOKEN']).toBeUndefined();
    expect(process.env['UNUSED']).toBeUndefined();
  });

  test('.env wins over the environment; an empty .env value does not; names .env lacks come from the environment', async () => {
    const { manifest, dotenvFile } = await setup('GIT_AUTH_TOKEN=from-dotenv\nNPM_TOKEN=\n');
    const env = { GIT_AUTH_TOKEN: 'from-env', NPM_TOKEN: 'npm-from-env' };
    expect(loadSecretValues(manifest, { env, dotenvFile })).toEqual({
      GIT_AUTH_TOKEN: 'from-dotenv',
      NPM_TOKEN: 'npm-from-env',
    });
    const { manifest: m2, dotenvFile: f2 } = await setup('NPM_TOKEN=npm-from-dotenv\n');
    expect(loadSecretValues(m2, { env: { GIT_AUTH_TOKEN: 'only-in-env', NPM_TOKEN: '' }, dotenvFile: f2 })).toEqual({
      GIT_AUTH_TOKEN: 'only-in-env',
      NPM_TOKEN: 'npm-from-dotenv',
    });
  });

  // Nx loads .env into a task's environment with variable expansion: the file's bytes must win.
  test.each([
    ['unquoted', 'pa$$w0rd$HOME-${USER}z'],
    ['single-quoted', "'pa$$w0rd$HOME-${USER}z'"],
    ['double-quoted', '"pa$$w0rd$HOME-${USER}z"'],
  ])('the %s .env value keeps its literal bytes over an expanded environment value', async (_name, written) => {
    const { manifest, dotenvFile } = await setup(`GIT_AUTH_TOKEN=${written}\nNPM_TOKEN=npm-token\n`);
    const expanded = { GIT_AUTH_TOKEN: 'pa$/root-z', NPM_TOKEN: 'npm-token' }; // what dotenv-expand made of it
    const values = loadSecretValues(manifest, { env: expanded, dotenvFile });
    expect(values['GIT_AUTH_TOKEN']).toBe('pa$$w0rd$HOME-${USER}z');
    expect(Buffer.byteLength(values['GIT_AUTH_TOKEN']!)).toBe(22);
  });

  test('a missing .env file is fine when the environment has everything', async () => {
    const { manifest, dotenvFile } = await setup();
    expect(loadSecretValues(manifest, { env: { GIT_AUTH_TOKEN: 'aaaa', NPM_TOKEN: 'bbbb' }, dotenvFile })).toEqual({
      GIT_AUTH_TOKEN: 'aaaa',
      NPM_TOKEN: 'bbbb',
    });
  });

  test('only the selected services need their secrets', async () => {
    const { manifest, dotenvFile } = await setup('GIT_AUTH_TOKEN=ghp-token\n');
    expect(loadSecretValues(manifest, { env: {}, dotenvFile, services: ['web'] })).toEqual({
      GIT_AUTH_TOKEN: 'ghp-token',
    });
    expect(thrown(() => loadSecretValues(manifest, { env: {}, dotenvFile, services: ['worker'] })).message).toBe(
      'secret NPM_TOKEN needed by service worker is not set: add it to .env or the environment',
    );
  });

  test('names every missing secret and its services, one line each', async () => {
    const { manifest, dotenvFile } = await setup('NPM_TOKEN=\n');
    const error = thrown(() => loadSecretValues(manifest, { env: { GIT_AUTH_TOKEN: '' }, dotenvFile }));
    expect(error.message).toBe(
      [
        'secret GIT_AUTH_TOKEN needed by services web, agents-runtime, worker is not set: add it to .env or the environment',
        'secret NPM_TOKEN needed by services agents-runtime, worker is not set: add it to .env or the environment',
      ].join('\n'),
    );
    expect(error.missing).toEqual([
      { secret: 'GIT_AUTH_TOKEN', services: ['web', 'agents-runtime', 'worker'] },
      { secret: 'NPM_TOKEN', services: ['agents-runtime', 'worker'] },
    ]);
  });

  test('never puts a value in the message', async () => {
    const { manifest, dotenvFile } = await setup('GIT_AUTH_TOKEN=ghp-very-secret-value\n');
    const error = thrown(() =>
      loadSecretValues(manifest, { env: { OTHER: 'env-secret-value' }, dotenvFile, services: ['agents-runtime'] }),
    );
    expect(error.message).toBe(
      'secret NPM_TOKEN needed by service agents-runtime is not set: add it to .env or the environment',
    );
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toMatch(
      /very-secret|env-secret/,
    );
  });

  test('an unknown selected service is an error, not an empty selection', async () => {
    const { manifest, dotenvFile } = await setup();
    expect(() => loadSecretValues(manifest, { env: {}, dotenvFile, services: ['wbe'] })).toThrow(
      /no service "wbe" \(services: web, agents-runtime, worker\)/,
    );
  });

  test('refuses a value under 4 characters, naming secret, services and where it came from, never the value', async () => {
    const { manifest, dotenvFile } = await setup('# tokens\nGIT_AUTH_TOKEN=a\n');
    const error = thrown(() => loadSecretValues(manifest, { env: { NPM_TOKEN: 'xyz' }, dotenvFile }));
    expect(error).toBeInstanceOf(SecretValueError);
    expect(error.message).toBe(
      [
        `secret GIT_AUTH_TOKEN needed by services web, agents-runtime, worker is 1 character long (from ${dotenvFile}:2): at least 4 are needed to mask it in logs without revealing it; set its real value`,
        'secret NPM_TOKEN needed by services agents-runtime, worker is 3 characters long (from the environment): at least 4 are needed to mask it in logs without revealing it; set its real value',
      ].join('\n'),
    );
    expect(error.message).not.toContain('xyz');
  });

  test.each([
    ['a comment after a space', 'NPM_TOKEN=npm-token # personal token'],
    ['a # inside the value', 'NPM_TOKEN=pass#word'],
    ['a value that is all comment', 'NPM_TOKEN=#secret'],
  ])('refuses an unquoted .env value cut by "#" (%s), naming file, line and key', async (_name, line) => {
    const { manifest, dotenvFile } = await setup(`GIT_AUTH_TOKEN=ghp-token\n\n${line}\n`);
    const error = thrown(() => loadSecretValues(manifest, { env: {}, dotenvFile, services: ['worker'] }));
    expect(error.message).toBe(
      `${dotenvFile}:3 NPM_TOKEN (needed by service worker): "#" starts a comment in an unquoted .env value, so the value is cut there: quote it (NPM_TOKEN="…#…") or put the comment on a line of its own`,
    );
  });

  test('a quoted value keeps its "#", and comment lines are fine', async () => {
    const { manifest, dotenvFile } = await setup(
      '# GIT_AUTH_TOKEN=old#value\nGIT_AUTH_TOKEN="ghp#1234" # note\nNPM_TOKEN=\'pass #word\'\n# end\n',
    );
    expect(loadSecretValues(manifest, { env: {}, dotenvFile })).toEqual({
      GIT_AUTH_TOKEN: 'ghp#1234',
      NPM_TOKEN: 'pass #word',
    });
  });
});
