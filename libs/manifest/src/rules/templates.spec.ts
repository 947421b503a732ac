import { afterEach, describe, expect, test } from 'vitest';
import { issuesFor, lines, REGISTRY } from '../testing/issues.js';
import { removeTrees } from '../testing/tmpdir.js';
import { templateProblems } from './templates.js';

afterEach(removeTrees);

const registry = { host: 'r.example.com', namespace: 'n' };
const problems = (tags: string[], defaults: { tag?: string; tags?: string[] } = {}) =>
  templateProblems({ registry, defaults, services: { a: { tags } } }).map((p) => `${p.path.join('.')}: ${p.message}`);

describe('tag templates', () => {
  test.each([
    ['dev-{shortSha}-{timestamp}'],
    ['{branch}-{shortSha}-{timestamp}'],
    ['sha-{sha}'],
    ['c-{contentKey}'],
    ['r-{shortSha}-{runId}'],
  ])('%s is accepted', (template) => expect(problems([template])).toEqual([]));

  test.each([
    ['dev-{commit}', 'unknown placeholder {commit}'],
    ['dev-{sha', 'unbalanced'],
    ['dev/{sha}', 'only letters, digits'],
    ['-{sha}', 'must not start with "." or "-"'],
    [`${'x'.repeat(90)}-{sha}`, 'can render 137 characters'],
    ['{branch}', 'can render "dev", a tag imagefleet sets'],
    ['content-{contentKey}', 'can render "content-<key>"'],
    ['dev-{timestamp}', 'sorts but names no commit: add {shortSha}'],
  ])('%s is refused: %s', (template, message) => {
    const found = problems([template]);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('services.a.tags.0: ');
    expect(found[0]).toContain(message);
  });

  test('two templates that can render one tag collide', () => {
    expect(problems(['{branch}-{shortSha}', 'main-{shortSha}'])).toEqual([
      'services.a.tags.1: tag template "main-{shortSha}" can render the same tag as "{branch}-{shortSha}" (service a): make them differ by a literal',
    ]);
  });

  test('defaults.tag stays fixed: it names the logs and the summary', () => {
    expect(problems([], { tag: 'dev-{sha}' })[0]).toMatch(/^defaults\.tag: .* is a template/);
  });

  test('a bad template in defaults.tags is said once, at its line', async () => {
    const yaml = lines(...REGISTRY, 'defaults:', '  tags:', '    - dev-{commit}', 'services:', '  a: {}', '  b: {}');
    const files = { 'apps/a/Dockerfile': 'FROM scratch', 'apps/b/Dockerfile': 'FROM scratch' };
    expect(await issuesFor({ 'services.manifest.yaml': yaml, ...files })).toEqual([
      '6:7 defaults.tags.0: unknown placeholder {commit} in "dev-{commit}": use {branch}, {sha}, {shortSha}, {timestamp}, {contentKey}, {runId}',
    ]);
  });
});
