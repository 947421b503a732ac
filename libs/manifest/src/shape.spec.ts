import { afterEach, describe, expect, test } from 'vitest';
import { checkShape } from './shape.js';
import { issuesFor, lines, REGISTRY } from './testing/issues.js';
import { removeTrees } from './testing/tmpdir.js';

afterEach(removeTrees);

const DOCKERFILE = { 'apps/a/Dockerfile': 'FROM scratch' };

describe('shape issues, placed in the file', () => {
  test('an unknown top-level key points at the key and suggests the near one', async () => {
    const yaml = lines(...REGISTRY, 'service:', '  a:');
    expect(await issuesFor({ 'services.manifest.yaml': yaml })).toEqual([
      '1:1 services: missing required key "services": add services: under the top level',
      '4:1 service: unknown key "service": did you mean "services"?',
    ]);
  });

  test('an unknown key in a service points at the key, not its value', async () => {
    const yaml = lines(...REGISTRY, 'services:', '  a:', '    contxt: apps/a', '    platform: linux/amd64');
    expect(await issuesFor({ 'services.manifest.yaml': yaml, ...DOCKERFILE })).toEqual([
      '6:5 services.a.contxt: unknown key "contxt": did you mean "context"?',
      '7:5 services.a.platform: unknown key "platform": allowed keys are context, dockerfile, secrets, buildArgs, dependsOn, tags, labels',
    ]);
  });

  test('a missing required registry.host points at its parent', async () => {
    const yaml = lines('services:', '  a:', 'registry:', '  namespace: ameide');
    expect(await issuesFor({ 'services.manifest.yaml': yaml, ...DOCKERFILE })).toEqual([
      '3:1 registry.host: missing required key "host": add host: under registry',
    ]);
  });

  test('a number where text is expected says to quote it as written', async () => {
    const yaml = lines(...REGISTRY, 'defaults:', '  tag: 1.10', 'services:', '  a:');
    expect(await issuesFor({ 'services.manifest.yaml': yaml, ...DOCKERFILE })).toEqual([
      '5:8 defaults.tag: expected text, got the number 1.10: quote it ("1.10")',
    ]);
  });

  test('services written as a list', async () => {
    const yaml = lines(...REGISTRY, 'services:', '  - name: a');
    expect(await issuesFor({ 'services.manifest.yaml': yaml })).toEqual([
      '4:1 services: services is a map keyed by service name, not a list: write "my-service:" instead of "- name: my-service"',
    ]);
  });

  test('numbers out of range, wrong enums, a string for a list, a list for a build arg', async () => {
    const yaml = lines(
      ...REGISTRY,
      'builder: {driver: podman}',
      'concurrency: {push: 0, build: 0}',
      'push: {retries: 1.5, stallSeconds: 0}',
      'services:',
      '  a:',
      '    secrets: GIT_AUTH_TOKEN',
      '    buildArgs: {A: [1]}',
    );
    expect(await issuesFor({ 'services.manifest.yaml': yaml, ...DOCKERFILE })).toEqual([
      '4:19 builder.driver: must be one of docker, buildx, got "podman"',
      '5:21 concurrency.push: must be at least 1, got 0',
      '5:31 concurrency.build: must be at least 1, got 0',
      '6:17 push.retries: must be a whole number, got 1.5',
      '6:36 push.stallSeconds: must be greater than 0, got 0',
      '9:14 services.a.secrets: expected a list, got "GIT_AUTH_TOKEN": write [GIT_AUTH_TOKEN]',
      '10:17 services.a.buildArgs.A: build arg values are strings, numbers or booleans, got a list: write A: "" for an empty value',
    ]);
  });

  test('no services', async () => {
    const yaml = lines(...REGISTRY, 'services: {}');
    expect(await issuesFor({ 'services.manifest.yaml': yaml })).toEqual(['4:1 services: list at least one service']);
  });

  test('empty required sections', async () => {
    const yaml = lines('registry:', 'services:');
    expect(await issuesFor({ 'services.manifest.yaml': yaml })).toEqual([
      '1:1 registry: "registry" is empty: give it a value',
      '2:1 services: list at least one service',
    ]);
  });

  test('an empty file', async () => {
    expect(await issuesFor({ 'services.manifest.yaml': '' })).toEqual([
      '1:1 : the manifest is empty: it needs registry and services',
    ]);
  });

  test('service-name issues are reported with shape issues; rules needing a valid shape are skipped', async () => {
    const yaml = lines(...REGISTRY, '  port: 5000', 'services:', '  www_ameide:', '    dependsOn: [nope]');
    expect(await issuesFor({ 'services.manifest.yaml': yaml })).toEqual([
      '4:3 registry.port: unknown key "port": allowed keys are host, pushHost, builderHost, namespace, insecure, hosts',
      '6:3 services.www_ameide: image names use hyphens, not underscores: rename to "www-ameide"',
    ]);
  });
});

describe('YAML issues', () => {
  test('a duplicate service key points at the second one and names the first', async () => {
    const yaml = lines(
      ...REGISTRY,
      'services:',
      '  platform-base:',
      '    tags: [a]',
      '  platform-base:',
      '    tags: [b]',
    );
    expect(await issuesFor({ 'services.manifest.yaml': yaml })).toEqual([
      '7:3 services.platform-base: service "platform-base" is listed twice (first at line 5): merge the two entries',
    ]);
  });

  test('a duplicate key elsewhere', async () => {
    const yaml = lines(...REGISTRY, '  host: other.example.com', 'services:', '  a:');
    expect(await issuesFor({ 'services.manifest.yaml': yaml })).toEqual([
      '4:3 registry.host: key "host" appears twice in registry (first at line 2): keep one',
    ]);
  });

  test('a syntax error stops the check at its position', async () => {
    const yaml = lines(...REGISTRY, 'services:', '  www_ameide:', '    context: apps/a: b');
    expect(await issuesFor({ 'services.manifest.yaml': yaml })).toEqual([
      '6:14 services.www_ameide.context.apps/a: invalid YAML: Nested mappings are not allowed in compact mappings',
    ]);
  });

  test('an unclosed flow list is reported at the list, not at the key yaml noticed it at', async () => {
    const yaml = lines(...REGISTRY, 'services:', '  a:', '    tags: [dev, latest', '  b:');
    expect(await issuesFor({ 'services.manifest.yaml': yaml })).toEqual([
      '6:11 services.a.tags: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });
});

describe('checkShape', () => {
  test('accepts nulls for optional sections and service bodies', () => {
    const result = checkShape({ registry: { host: 'h', namespace: 'n' }, builder: null, services: { a: null } });
    expect(result.ok).toBe(true);
  });
});
