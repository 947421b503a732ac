/**
 * yaml notices an unclosed `{`, `[` or quote only at the next token, usually the next key, and
 * reported it there: the error named the key after the culprit (issue 11 #15).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { issuesFor, lines, REGISTRY } from './testing/issues.js';
import { removeTrees } from './testing/tmpdir.js';

afterEach(removeTrees);

const manifest = (...service: string[]) => ({
  'services.manifest.yaml': lines(
    ...REGISTRY,
    'services:',
    '  web:',
    '    context: apps/web',
    ...service,
    '    dockerfile: Dockerfile',
    '  api:',
    '    context: apps/api',
  ),
});

describe('YAML errors name the value left open, not the key after it', () => {
  test.each([
    [
      'an unclosed flow map',
      '    buildArgs: {A: 1',
      '7:16 services.web.buildArgs: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }',
    ],
    [
      'an unclosed flow sequence',
      '    secrets: [GIT_AUTH_TOKEN',
      '7:14 services.web.secrets: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
  ])('%s', async (_name, line, expected) => {
    const issues = await issuesFor(manifest(line));
    expect(issues[0]!.split('\n')[0]).toBe(expected);
  });

  test('an unclosed quote', async () => {
    const issues = await issuesFor(manifest('    target: "prod'));
    expect(issues[0]).toMatch(/^7:13 services\.web\.target: invalid YAML: Missing closing "quote/);
  });

  test('other errors keep their place', async () => {
    const issues = await issuesFor(manifest('    tags: dev: x'));
    expect(issues[0]).toMatch(/^7:11 services\.web\.tags\.dev: invalid YAML: Nested mappings are not allowed/);
  });
});
