import { afterEach, describe, expect, test } from 'vitest';
import { issuesFor, lines, REGISTRY } from '../testing/issues.js';
import { makeTree, removeTrees } from '../testing/tmpdir.js';
import { loadManifest } from '../load.js';
import { cycles } from './deps.js';

afterEach(removeTrees);

const dockerfiles = (...names: string[]) =>
  Object.fromEntries(names.map((n) => [`apps/${n}/Dockerfile`, 'FROM scratch']));

describe('dependsOn', () => {
  test('an unknown service with a near name suggests it', async () => {
    const yaml = lines(...REGISTRY, 'services:', '  platform-base:', '  agents:', '    dependsOn: [platform_base]');
    expect(await issuesFor({ 'services.manifest.yaml': yaml, ...dockerfiles('platform-base', 'agents') })).toEqual([
      '7:17 services.agents.dependsOn.0: "platform_base" is not a service in this manifest: did you mean "platform-base"?',
    ]);
  });

  test('an unknown service with no near name lists the services', async () => {
    const yaml = lines(...REGISTRY, 'services:', '  base:', '  web:', '  api:', '    dependsOn: [base, postgres]');
    expect(await issuesFor({ 'services.manifest.yaml': yaml, ...dockerfiles('base', 'web', 'api') })).toEqual([
      '8:23 services.api.dependsOn.1: "postgres" is not a service in this manifest: use one of base, web',
    ]);
  });

  test('a service depending on itself', async () => {
    const yaml = lines(...REGISTRY, 'services:', '  web:', '    dependsOn:', '      - web');
    expect(await issuesFor({ 'services.manifest.yaml': yaml, ...dockerfiles('web') })).toEqual([
      '7:9 services.web.dependsOn.0: service "web" depends on itself: remove "web" from its dependsOn',
    ]);
  });

  test('a cycle is named once, from the service declared first', async () => {
    const yaml = lines(...REGISTRY, 'services:', '  b:', '    dependsOn: [a]', '  a:', '    dependsOn: [b]');
    expect(await issuesFor({ 'services.manifest.yaml': yaml, ...dockerfiles('a', 'b') })).toEqual([
      '6:17 services.b.dependsOn.0: dependency cycle b -> a -> b: remove one of these dependsOn entries',
    ]);
  });

  test('a longer cycle, beside a service outside it', async () => {
    const yaml = lines(
      ...REGISTRY,
      'services:',
      '  base:',
      '  a:',
      '    dependsOn: [base, b]',
      '  b:',
      '    dependsOn: [c]',
      '  c:',
      '    dependsOn: [base, a]',
    );
    expect(await issuesFor({ 'services.manifest.yaml': yaml, ...dockerfiles('base', 'a', 'b', 'c') })).toEqual([
      '7:23 services.a.dependsOn.1: dependency cycle a -> b -> c -> a: remove one of these dependsOn entries',
    ]);
  });

  test('a valid graph loads, duplicates removed', async () => {
    const yaml = lines(...REGISTRY, 'services:', '  base:', '  web:', '    dependsOn: [base, base]');
    const root = makeTree({ 'services.manifest.yaml': yaml, ...dockerfiles('base', 'web') });
    const manifest = await loadManifest(`${root}/services.manifest.yaml`);
    expect(manifest.services.map((s) => s.dependsOn)).toEqual([[], ['base']]);
  });
});

describe('cycles', () => {
  test.each([
    ['none', ['a', 'b', 'c'], { b: ['a'], c: ['a', 'b'] }, []],
    ['two', ['a', 'b'], { a: ['b'], b: ['a'] }, [['a', 'b', 'a']]],
    ['found from the later member', ['x', 'a', 'b'], { x: ['b'], b: ['a'], a: ['b'] }, [['a', 'b', 'a']]],
    [
      'two separate',
      ['a', 'b', 'c', 'd'],
      { a: ['b'], b: ['a'], c: ['d'], d: ['c'] },
      [
        ['a', 'b', 'a'],
        ['c', 'd', 'c'],
      ],
    ],
  ])('%s', (_, nodes, edges, expected) => {
    expect(cycles(nodes, new Map(Object.entries(edges)))).toEqual(expected);
  });
});
