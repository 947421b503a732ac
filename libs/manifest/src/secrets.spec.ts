import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { SecretsError } from './errors.js';
import { loadManifest } from './load.js';
import { loadSecretValues } from './secrets.js';
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
  return { manifest: await loadManifest(path.join(root, 'services.manifest.yaml')), dotenvFile: path.join(root, '.env') };
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
    const { manifest, dotenvFile } = await setup('GIT_AUTH_TOKEN=ghp-from-dotenv\nNPM_TOKEN="npm from dotenv"\nUNUSED=x\n');
    expect(loadSecretValues(manifest, { env: {}, dotenvFile })).toEqual({ GIT_AUTH_TOKEN: 'ghp-from-dotenv', NPM_TOKEN: 'npm from dotenv' });
    expect(process.env['GIT_AUTH_TOKEN']).toBeUndefined();
    expect(process.env['UNUSED']).toBeUndefined();
  });

  test('the environment wins over .env; an empty environment value does not', async () => {
    const { manifest, dotenvFile } = await setup('GIT_AUTH_TOKEN=from-dotenv\nNPM_TOKEN=npm-from-dotenv\n');
    const env = { GIT_AUTH_TOKEN: 'from-env', NPM_TOKEN: '' };
    expect(loadSecretValues(manifest, { env, dotenvFile })).toEqual({ GIT_AUTH_TOKEN: 'from-env', NPM_TOKEN: 'npm-from-dotenv' });
  });

  test('a missing .env file is fine when the environment has everything', async () => {
    const { manifest, dotenvFile } = await setup();
    expect(loadSecretValues(manifest, { env: { GIT_AUTH_TOKEN: 'a', NPM_TOKEN: 'b' }, dotenvFile })).toEqual({ GIT_AUTH_TOKEN: 'a', NPM_TOKEN: 'b' });
  });

  test('only the selected services need their secrets', async () => {
    const { manifest, dotenvFile } = await setup('GIT_AUTH_TOKEN=ghp\n');
    expect(loadSecretValues(manifest, { env: {}, dotenvFile, services: ['web'] })).toEqual({ GIT_AUTH_TOKEN: 'ghp' });
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
    const error = thrown(() => loadSecretValues(manifest, { env: { OTHER: 'env-secret-value' }, dotenvFile, services: ['agents-runtime'] }));
    expect(error.message).toBe('secret NPM_TOKEN needed by service agents-runtime is not set: add it to .env or the environment');
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toMatch(/very-secret|env-secret/);
  });

  test('an unknown selected service is an error, not an empty selection', async () => {
    const { manifest, dotenvFile } = await setup();
    expect(() => loadSecretValues(manifest, { env: {}, dotenvFile, services: ['wbe'] })).toThrow(
      /no service "wbe" \(services: web, agents-runtime, worker\)/,
    );
  });
});
