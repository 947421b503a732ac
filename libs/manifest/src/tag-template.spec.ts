import { describe, expect, test } from 'vitest';
import { parseTemplate, renderTag, sanitiseBranch, templateRegExp, type TagFacts } from './tag-template.js';

const FACTS: TagFacts = {
  branch: 'main',
  sha: '9fceb02d0ae598e95dc970b74767f19372d61af8',
  shortSha: '9fceb02',
  timestamp: '1764693900',
  contentKey: 'ab12cd34ef56ab12cd34ef56ab12cd34',
  runId: '20261202T164500Z-4242',
};

describe('renderTag', () => {
  test.each([
    ['dev', {}, 'dev'],
    ['dev-{shortSha}-{timestamp}', {}, 'dev-9fceb02-1764693900'],
    ['{branch}-{shortSha}-{timestamp}', { branch: 'feature/login' }, 'feature-login-9fceb02-1764693900'],
    ['{branch}', { branch: 'Fix: ünïcode & spaces' }, 'Fix---n-code---spaces'],
    ['{branch}-x', { branch: '.hidden/-x' }, 'hidden--x-x'],
    ['sha-{sha}', { sha: `${FACTS.sha}-dirty` }, `sha-${FACTS.sha}-dirty`],
    ['c-{contentKey}', {}, 'c-ab12cd34ef56ab12cd34ef56ab12cd34'],
    ['run-{runId}', {}, 'run-20261202T164500Z-4242'],
  ])('%s with %j → %s', (template, facts, tag) => {
    expect(renderTag(template, { ...FACTS, ...facts })).toBe(tag);
  });

  test('a long branch is cut so the tag fits in 128 characters', () => {
    const tag = renderTag('{branch}-{shortSha}-{timestamp}', { ...FACTS, branch: 'b'.repeat(300) });
    expect(tag).toHaveLength(128);
    expect(tag.endsWith('-9fceb02-1764693900')).toBe(true);
  });

  test('an unknown placeholder is refused, naming the ones there are', () => {
    expect(() => renderTag('dev-{commit}', FACTS)).toThrow(
      /unknown placeholder \{commit\} in "dev-\{commit\}": use \{branch\}/,
    );
  });
});

describe('sanitiseBranch', () => {
  test.each([
    ['main', 'main'],
    ['feature/a/b', 'feature-a-b'],
    ['-x', 'x'],
    ['...', 'branch'],
  ])('%s → %s', (branch, tag) => expect(sanitiseBranch(branch)).toBe(tag));
});

describe('templateRegExp: every tag a template can render, and no other', () => {
  const re = (t: string) => {
    const parts = parseTemplate(t);
    if ('error' in parts) throw new Error(parts.error);
    return templateRegExp(parts);
  };
  test.each([
    ['dev-{shortSha}-{timestamp}', 'dev-9fceb02-1764693900', true],
    ['dev-{shortSha}-{timestamp}', 'dev-9fceb02-dirty-1764693900', true],
    ['dev-{shortSha}-{timestamp}', 'dev', false],
    ['dev-{shortSha}-{timestamp}', 'dev-9fceb0-1764693900', false],
    ['{branch}', 'dev', true],
    ['{branch}', 'content-ab', true],
    ['v.{timestamp}', 'vX1', false],
  ])('%s matches %s: %s', (template, tag, matches) => expect(re(template).test(tag)).toBe(matches));
});
