import { afterEach, describe, expect, test } from 'vitest';
import type { ManifestFile } from '../schema.js';
import { issuesFor, lines, REGISTRY } from '../testing/issues.js';
import { removeTrees } from '../testing/tmpdir.js';
import { lengthProblems, registryProblems, serviceNameProblems, tagProblems } from './names.js';

afterEach(removeTrees);

const file = (
  registry: Partial<ManifestFile['registry']>,
  services: ManifestFile['services'] = { a: null },
): ManifestFile => ({
  registry: { host: 'registry.example.com', namespace: 'ameide', ...registry },
  services,
});
const messages = (problems: { message: string }[]) => problems.map((p) => p.message);

describe('service names', () => {
  test.each(['a', 'www-ameide', 'agents-runtime-2', '2fa', 'x1-y2-z3'])('%s is valid', (name) => {
    expect(serviceNameProblems([name])).toEqual([]);
  });

  test.each([
    ['www_ameide', 'image names use hyphens, not underscores: rename to "www-ameide"'],
    ['WWW-Ameide', 'image names are lower case: rename to "www-ameide"'],
    ['Www_Ameide', 'image names are lower case and use hyphens, not underscores: rename to "www-ameide"'],
    ['www--ameide', 'image names are lower-case letters and digits joined by single hyphens: rename to "www-ameide"'],
    ['-www', 'image names are lower-case letters and digits joined by single hyphens: rename to "www"'],
    ['www.ameide', 'image names are lower-case letters and digits joined by single hyphens: rename to "www-ameide"'],
    ['---', 'image names are lower-case letters and digits joined by single hyphens'],
  ])('%s → %s', (name, message) => {
    expect(serviceNameProblems([name])).toEqual([{ path: ['services', name], at: 'key', message }]);
  });

  test('placed at the service key', async () => {
    const yaml = lines(
      ...REGISTRY,
      'services:',
      '  ok:',
      '  www_ameide:',
      '    context: apps/ok',
      '  WebApp:',
      '    context: apps/ok',
    );
    expect(await issuesFor({ 'services.manifest.yaml': yaml, 'apps/ok/Dockerfile': 'FROM scratch' })).toEqual([
      '6:3 services.www_ameide: image names use hyphens, not underscores: rename to "www-ameide"',
      '8:3 services.WebApp: image names are lower case: rename to "webapp"',
    ]);
  });
});

describe('registry hosts', () => {
  test.each([
    'localhost',
    'localhost:5001',
    'k3d-ameide.localhost:5001',
    '127.0.0.1:5000',
    '[::1]:5000',
    'Registry.Example.COM',
    'a',
  ])('%s is valid', (host) => expect(registryProblems(file({ host, pushHost: host }))).toEqual([]));

  test.each([
    [
      'proj_registry_1:5000',
      '"proj_registry_1:5000" is not a valid hostname: "_" is not allowed in hostnames (Compose names like proj_registry_1 are not valid registry hosts): use a name with hyphens such as "proj-registry-1:5000"',
    ],
    [
      'http://localhost:5001',
      '"http://localhost:5001" has a scheme: write only host[:port] ("localhost:5001"); plain HTTP is registry.insecure: true',
    ],
    [
      'localhost:5001/ameide',
      '"localhost:5001/ameide" has a path: write only host[:port] here and put the path in registry.namespace',
    ],
    ['localhost:99999', 'port 99999 in "localhost:99999" is not between 1 and 65535'],
    [
      '-bad.example.com',
      '"-bad.example.com" is not a valid host[:port]: use letters, digits, "-" and "." (e.g. "localhost:5001")',
    ],
    ['', '"" is not a valid host[:port]: use letters, digits, "-" and "." (e.g. "localhost:5001")'],
  ])('%s', (host, message) => {
    expect(registryProblems(file({ host }))).toEqual([{ path: ['registry', 'host'], message }]);
    expect(registryProblems(file({ pushHost: host }))).toEqual([{ path: ['registry', 'pushHost'], message }]);
  });

  test('placed at the value', async () => {
    const yaml = lines(
      'registry:',
      '  host: k3d-ameide.localhost:5001',
      '  pushHost: imagefleet_registry_1:5000',
      '  namespace: ameide',
      'services:',
      '  a:',
    );
    const issues = await issuesFor({ 'services.manifest.yaml': yaml, 'apps/a/Dockerfile': 'FROM scratch' });
    expect(issues).toEqual([
      expect.stringMatching(
        /^3:13 registry\.pushHost: "imagefleet_registry_1:5000" is not a valid hostname: "_" is not allowed/,
      ),
    ]);
  });
});

describe('namespace', () => {
  test.each(['ameide', 'team/apps', 'my_team', 'my__team', 'my--team', 'a.b/c-d'])('%s is valid', (namespace) => {
    expect(registryProblems(file({ namespace }))).toEqual([]);
  });

  test.each([
    ['Ameide', 'repository names must be lowercase: use "ameide"'],
    ['Team/Apps', 'repository names must be lowercase: use "team/apps"'],
    ...['my___team', '_team', 'team/', '/team', 'a..b', 'a b', ''].map((ns) => [
      ns,
      `"${ns}" is not a repository path: use lower-case letters and digits, separated by ".", "_", "__" or "-", with "/" between parts (e.g. "ameide" or "team/apps")`,
    ]),
  ])('%s', (namespace, message) => {
    expect(registryProblems(file({ namespace }))).toEqual([{ path: ['registry', 'namespace'], message }]);
  });
});

describe('tags', () => {
  test.each(['dev', 'latest', 'V1_2.3-rc', '_x', '1.0.0', 'a'.repeat(128)])('%s is valid', (tag) => {
    expect(tagProblems({ ...file({}), services: { a: { tags: [tag] } } })).toEqual([]);
  });

  test.each([
    ['1.0.0+build', ': use "1.0.0-build"'],
    ['.hidden', ': use "hidden"'],
    ['-rc', ': use "rc"'],
    ['a'.repeat(129), `: use "${'a'.repeat(128)}"`],
    ['', ''],
  ])('%s', (tag, rename) => {
    const message = `tag "${tag}" is not valid: tags are 1-128 letters, digits, "_", "." and "-", not starting with "." or "-"${rename}`;
    expect(tagProblems({ ...file({}), defaults: { tag }, services: { a: { tags: ['ok', tag] } } })).toEqual([
      { path: ['defaults', 'tag'], message },
      { path: ['services', 'a', 'tags', 1], message },
    ]);
  });

  test('placed at the value, in defaults and in a service', async () => {
    const yaml = lines(
      ...REGISTRY,
      'defaults:',
      '  tag: dev+1',
      'services:',
      '  a:',
      '    tags: [latest, v1.0.0+build]',
    );
    expect(await issuesFor({ 'services.manifest.yaml': yaml, 'apps/a/Dockerfile': 'FROM scratch' })).toEqual([
      '5:8 defaults.tag: tag "dev+1" is not valid: tags are 1-128 letters, digits, "_", "." and "-", not starting with "." or "-": use "dev-1"',
      '8:20 services.a.tags.1: tag "v1.0.0+build" is not valid: tags are 1-128 letters, digits, "_", "." and "-", not starting with "." or "-": use "v1.0.0-build"',
    ]);
  });
});

describe('full image name length', () => {
  test('host/namespace/service may be 255 characters, not 256', () => {
    const host = 'registry.example.com'; // 20
    const fits = 'a'.repeat(255 - host.length - 'ameide'.length - 2);
    expect(lengthProblems(file({ host }, { [fits]: null }))).toEqual([]);
    expect(messages(lengthProblems(file({ host }, { [`${fits}b`]: null })))).toEqual([
      `image name "${host}/ameide/${fits}b" is 256 characters, over the limit of 255: shorten the service name or registry.namespace`,
    ]);
  });

  test('builderHost and the keys of registry.hosts are hostnames too', () => {
    expect(registryProblems(file({ builderHost: 'dev_reg:5000', hosts: { 'bad_host:1': {} } }))).toEqual([
      {
        path: ['registry', 'builderHost'],
        message: expect.stringMatching(/"dev_reg:5000" is not a valid hostname: "_" is not allowed/),
      },
      {
        path: ['registry', 'hosts', 'bad_host:1'],
        message: expect.stringMatching(/"bad_host:1" is not a valid hostname/),
      },
    ]);
  });

  test('a host with a caFile cannot also be insecure (plain HTTP)', () => {
    expect(registryProblems(file({ hosts: { 'r.example.com': { insecure: true, caFile: 'ca.pem' } } }))).toEqual([
      {
        path: ['registry', 'hosts', 'r.example.com', 'caFile'],
        message: 'a CA file is for HTTPS, and `insecure: true` means plain HTTP: remove one of the two',
      },
    ]);
    expect(registryProblems(file({ hosts: { 'r.example.com': { insecure: false, caFile: 'ca.pem' } } }))).toEqual([]);
  });

  test('the longer of host and pushHost counts', () => {
    const name = 'a'.repeat(200);
    expect(
      lengthProblems(file({ host: 'r.io', pushHost: `${'p'.repeat(60)}.example.com` }, { [name]: null })),
    ).toHaveLength(1);
  });
});
