import { describe, expect, test } from 'vitest';
import { fluxConfig, type ServiceSpec } from '@imagefleet/manifest';
import { tagScheme } from './scheme.js';
import { selectLatest } from './policy.js';

const serviceSpec = (name: string, { tags }: { tags: string[] }): ServiceSpec => ({
  ...{ name, context: '', contextRel: '', dockerfile: '', dockerfileRel: '', secrets: [], buildArgs: {} },
  ...{ dependsOn: [], labels: {}, line: 1, tags },
});
const flux = { ...fluxConfig(null), branch: 'feature/x' };

describe('tagScheme: the policy that follows a template', () => {
  test.each([
    ['dev-{shortSha}-{timestamp}', '^dev-[0-9a-f]{7}-(?P<ts>[0-9]+)$', '$ts', 'numerical'],
    ['{branch}-{shortSha}-{timestamp}', '^feature-x-[0-9a-f]{7}-(?P<ts>[0-9]+)$', '$ts', 'numerical'],
    ['v1.{timestamp}.{sha}', '^v1\\.(?P<ts>[0-9]+)\\.[0-9a-f]{40}$', '$ts', 'numerical'],
    ['r-{shortSha}-{runId}', '^r-[0-9a-f]{7}-(?P<run>[0-9]{8}T[0-9]{6}Z)-[0-9]+(?:-[0-9]+)?$', '$run', 'alphabetical'],
  ])('%s → %s', (template, pattern, extract, order) => {
    const scheme = tagScheme(serviceSpec('a', { tags: ['dev', 'sha-{sha}', template] }), flux)!;
    expect(scheme.template).toBe(template);
    expect(scheme.policy.filterTags).toEqual({ pattern, extract });
    expect(Object.keys(scheme.policy.policy)).toEqual([order]);
  });

  test('a service without a sorting template has none', () => {
    expect(tagScheme(serviceSpec('a', { tags: ['dev', 'sha-{sha}'] }), flux)).toBeNull();
  });

  test('the filter passes clean pushes of the followed branch only', () => {
    const scheme = tagScheme(serviceSpec('a', { tags: ['dev', '{branch}-{shortSha}-{timestamp}'] }), flux)!;
    const tags = [
      'dev',
      'latest',
      'content-0123456789abcdef0123456789abcdef',
      'feature-x-9fceb02-1700000100',
      'feature-x-9fceb02-dirty-1700000900',
      'main-1234567-1700009999',
      'feature-x-1234567-1700000050',
    ];
    expect(selectLatest(tags, scheme.policy)).toMatchObject({
      ok: true,
      tag: 'feature-x-9fceb02-1700000100',
      candidates: 2,
    });
  });
});
