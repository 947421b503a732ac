import { afterEach, describe, expect, test } from 'vitest';
import { issuesFor, lines, REGISTRY } from '../testing/issues.js';
import { removeTrees } from '../testing/tmpdir.js';
import { secretProblems } from './secrets.js';

afterEach(removeTrees);

const DOCKERFILE = { 'apps/a/Dockerfile': 'FROM scratch' };
const registry = { host: 'r.example.com', namespace: 'n' };

describe('secret names', () => {
  test.each(['GIT_AUTH_TOKEN', '_X', 'npm_token', 'A1'])('%s is valid', (secret) => {
    expect(secretProblems({ registry, services: { a: { secrets: [secret] } } })).toEqual([]);
  });

  test.each([
    ['git-token', 'GIT_TOKEN'],
    ['1PASSWORD', '_1PASSWORD'],
    ['npm.auth', 'NPM_AUTH'],
  ])('%s → rename to %s', (secret, suggestion) => {
    expect(secretProblems({ registry, services: { a: { secrets: ['OK', secret] } } })).toEqual([
      {
        path: ['services', 'a', 'secrets', 1],
        message: `secret names are environment-variable names (letters, digits and "_", not starting with a digit), got "${secret}": rename to "${suggestion}"`,
      },
    ]);
  });

  test('placed at the value, in defaults and in a service', async () => {
    const yaml = lines(
      ...REGISTRY,
      'defaults:',
      '  secrets: [git-token]',
      'services:',
      '  a:',
      '    secrets:',
      '      - OK',
      '      - npm.auth',
    );
    expect(await issuesFor({ 'services.manifest.yaml': yaml, ...DOCKERFILE })).toEqual([
      '5:13 defaults.secrets.0: secret names are environment-variable names (letters, digits and "_", not starting with a digit), got "git-token": rename to "GIT_TOKEN"',
      '10:9 services.a.secrets.1: secret names are environment-variable names (letters, digits and "_", not starting with a digit), got "npm.auth": rename to "NPM_AUTH"',
    ]);
  });
});

describe('build args that look like secrets', () => {
  test.each([
    'GIT_AUTH_TOKEN',
    'npm_token',
    'DB_PASSWORD',
    'passwd',
    'OPENAI_API_KEY',
    'SSH_PRIVATE_KEY',
    'CLIENT_SECRET',
  ])('%s is rejected', (arg) => {
    expect(secretProblems({ registry, services: { a: { buildArgs: { [arg]: 'x' } } } })).toEqual([
      {
        path: ['services', 'a', 'buildArgs', arg],
        at: 'key',
        message: `build arg "${arg}" looks like a secret: pass it as a secret, not a build arg (move it to secrets: [${arg}]; build args are stored in the image history)`,
      },
    ]);
  });

  test.each(['NODE_ENV', 'MODEL_NAME', 'KEY_ID', 'API_URL'])('%s is allowed', (arg) => {
    expect(secretProblems({ registry, services: { a: { buildArgs: { [arg]: 'x' } } } })).toEqual([]);
  });

  test('placed at the key, in defaults and in a service', async () => {
    const yaml = lines(
      ...REGISTRY,
      'defaults:',
      '  buildArgs:',
      '    NODE_ENV: production',
      '    NPM_TOKEN: abc',
      'services:',
      '  a:',
      '    buildArgs: {GIT_AUTH_TOKEN: "x"}',
    );
    expect(await issuesFor({ 'services.manifest.yaml': yaml, ...DOCKERFILE })).toEqual([
      '7:5 defaults.buildArgs.NPM_TOKEN: build arg "NPM_TOKEN" looks like a secret: pass it as a secret, not a build arg (move it to secrets: [NPM_TOKEN]; build args are stored in the image history)',
      '10:17 services.a.buildArgs.GIT_AUTH_TOKEN: build arg "GIT_AUTH_TOKEN" looks like a secret: pass it as a secret, not a build arg (move it to secrets: [GIT_AUTH_TOKEN]; build args are stored in the image history)',
    ]);
  });

  test('the message never repeats the value', async () => {
    const yaml = lines(...REGISTRY, 'services:', '  a:', '    buildArgs: {NPM_TOKEN: s3cr3t-value}');
    const issues = await issuesFor({ 'services.manifest.yaml': yaml, ...DOCKERFILE });
    expect(issues).toHaveLength(1);
    expect(issues[0]).not.toContain('s3cr3t-value');
  });
});
