import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { ManifestError } from './errors.js';
import { loadManifest } from './load.js';
import { fluxConfig } from './normalise.js';
import { lines } from './testing/issues.js';
import { makeTree, removeTrees } from './testing/tmpdir.js';

afterEach(removeTrees);

const load = (root: string, env: NodeJS.ProcessEnv = {}) =>
  loadManifest(path.join(root, 'services.manifest.yaml'), { env });

const FULL = lines(
  'registry:',
  '  host: k3d-ameide.localhost:5001',
  '  pushHost: localhost:5001',
  '  namespace: ameide',
  'builder:',
  '  driver: buildx',
  '  docker: /usr/bin/docker',
  'defaults:',
  '  tag: dev',
  '  secrets: [GIT_AUTH_TOKEN]',
  '  buildArgs: {NODE_ENV: production, PORT: 8080, DEBUG: false, VERSION: 1.10, MODE: 0x1F}',
  'services:',
  '  platform-base:',
  '  agents-runtime:',
  '    context: services/agents',
  '    dockerfile: docker/Dockerfile.prod',
  '    secrets: [NPM_AUTH, GIT_AUTH_TOKEN]',
  '    buildArgs: {NODE_ENV: test}',
  '    dependsOn: [platform-base]',
  '    tags: [latest, dev]',
);

describe('loadManifest', () => {
  test('normalises a valid manifest completely', async () => {
    const root = makeTree({
      'services.manifest.yaml': FULL,
      'apps/platform-base/Dockerfile': 'FROM scratch',
      'services/agents/docker/Dockerfile.prod': 'FROM platform-base',
    });
    expect(await load(root)).toEqual({
      file: path.join(root, 'services.manifest.yaml'),
      root,
      registry: {
        host: 'k3d-ameide.localhost:5001',
        pushHost: 'localhost:5001',
        builderHost: 'localhost:5001',
        namespace: 'ameide',
        insecure: true,
        hosts: {
          'k3d-ameide.localhost:5001': { insecure: true, caFile: null, credentialsEnv: null, dockerConfig: null },
          'localhost:5001': { insecure: true, caFile: null, credentialsEnv: null, dockerConfig: null },
        },
      },
      concurrency: { push: 2, build: null },
      push: { retries: 3, stallSeconds: 60, timeoutSeconds: 1800 },
      builder: {
        driver: 'buildx',
        docker: '/usr/bin/docker',
        env: {},
        name: null,
        endpoint: null,
        buildctl: 'buildctl',
        tls: null,
        create: null,
        addHosts: {},
        network: null,
      },
      retention: { keep: 5 },
      cache: { registry: null },
      overrides: [],
      cluster: { endpoint: null },
      flux: fluxConfig(null),
      summary: { keepRuns: 20 },
      services: [
        {
          name: 'platform-base',
          context: path.join(root, 'apps/platform-base'),
          contextRel: 'apps/platform-base',
          dockerfile: path.join(root, 'apps/platform-base/Dockerfile'),
          dockerfileRel: 'apps/platform-base/Dockerfile',
          secrets: ['GIT_AUTH_TOKEN'],
          buildArgs: { NODE_ENV: 'production', PORT: '8080', DEBUG: 'false', VERSION: '1.10', MODE: '0x1F' },
          dependsOn: [],
          tags: ['dev'],
          addHosts: {},
          labels: {},
          line: 13,
        },
        {
          name: 'agents-runtime',
          context: path.join(root, 'services/agents'),
          contextRel: 'services/agents',
          dockerfile: path.join(root, 'services/agents/docker/Dockerfile.prod'),
          dockerfileRel: 'services/agents/docker/Dockerfile.prod',
          secrets: ['GIT_AUTH_TOKEN', 'NPM_AUTH'],
          buildArgs: { NODE_ENV: 'test', PORT: '8080', DEBUG: 'false', VERSION: '1.10', MODE: '0x1F' },
          dependsOn: ['platform-base'],
          tags: ['dev', 'latest'],
          addHosts: {},
          labels: {},
          line: 14,
        },
      ],
    });
  });

  test('applies every default to a minimal manifest', async () => {
    const root = makeTree({
      'services.manifest.yaml': lines(
        'registry:',
        '  host: registry.example.com',
        '  namespace: team/apps',
        'services:',
        '  a: {}',
      ),
      'apps/a/Dockerfile': 'FROM scratch',
    });
    const manifest = await load(root);
    expect(manifest.registry).toEqual({
      host: 'registry.example.com',
      pushHost: 'registry.example.com',
      builderHost: 'registry.example.com',
      namespace: 'team/apps',
      insecure: false,
      hosts: { 'registry.example.com': { insecure: false, caFile: null, credentialsEnv: null, dockerConfig: null } },
    });
    expect(manifest.builder).toEqual({
      driver: 'docker',
      docker: 'docker',
      env: {},
      name: null,
      endpoint: null,
      buildctl: 'buildctl',
      tls: null,
      create: null,
      addHosts: {},
      network: null,
    });
    expect(manifest.retention).toEqual({ keep: 5 });
    expect(manifest.summary).toEqual({ keepRuns: 20 });
    expect(manifest.concurrency).toEqual({ push: 2, build: null });
    expect(manifest.push).toEqual({ retries: 3, stallSeconds: 60, timeoutSeconds: 1800 });
    expect(manifest.services[0]).toMatchObject({
      secrets: [],
      buildArgs: {},
      dependsOn: [],
      tags: ['dev'],
      dockerfileRel: 'apps/a/Dockerfile',
    });
  });

  test('per-host settings: an HTTPS reference host with its own CA and credentials beside an HTTP push host', async () => {
    const root = makeTree({
      'services.manifest.yaml': lines(
        'registry:',
        '  host: registry.example.com',
        '  pushHost: 10.0.0.5:3000',
        '  builderHost: k3d-dev-reg:5000',
        '  namespace: ameide',
        '  insecure: true',
        '  hosts:',
        '    registry.example.com:',
        '      caFile: certs/ca.pem # HTTPS: no insecure: false needed beside the insecure push host',
        '      usernameEnv: PULL_USER',
        '      passwordEnv: PULL_PASSWORD',
        'builder:',
        '  driver: buildx',
        '  name: in-cluster',
        '  endpoint: tcp://buildkitd:1234',
        'retention:',
        '  keep: 3',
        'summary:',
        '  keepRuns: 7',
        'services:',
        '  a: {}',
      ),
      'apps/a/Dockerfile': 'FROM scratch',
    });
    const manifest = await load(root);
    expect(manifest.registry.builderHost).toBe('k3d-dev-reg:5000');
    expect(manifest.registry.hosts).toEqual({
      'registry.example.com': {
        insecure: false,
        caFile: path.join(root, 'certs/ca.pem'),
        credentialsEnv: { username: 'PULL_USER', password: 'PULL_PASSWORD' },
        dockerConfig: null,
      },
      '10.0.0.5:3000': { insecure: true, caFile: null, credentialsEnv: null, dockerConfig: null },
      'k3d-dev-reg:5000': { insecure: true, caFile: null, credentialsEnv: null, dockerConfig: null },
    });
    expect(manifest.builder).toMatchObject({ driver: 'buildx', name: 'in-cluster', endpoint: 'tcp://buildkitd:1234' });
    expect(manifest.retention).toEqual({ keep: 3 });
    expect(manifest.summary).toEqual({ keepRuns: 7 });
  });

  test.each([
    ['localhost:5001', undefined, true],
    ['127.0.0.1:5000', undefined, true],
    ['[::1]:5000', undefined, true],
    ['localhost', undefined, true],
    ['k3d-ameide.localhost:5001', undefined, false],
    ['registry.example.com', undefined, false],
    ['localhost:5001', false, false],
    ['registry.example.com', true, true],
  ])('pushHost %s with insecure %s is insecure: %s', async (pushHost, insecure, expected) => {
    const root = makeTree({
      'services.manifest.yaml': lines(
        'registry:',
        '  host: registry.example.com',
        `  pushHost: "${pushHost}"`,
        '  namespace: ameide',
        ...(insecure === undefined ? [] : [`  insecure: ${insecure}`]),
        'services:',
        '  a:',
      ),
      'apps/a/Dockerfile': 'FROM scratch',
    });
    expect((await load(root)).registry.insecure).toBe(expected);
  });

  test('IMAGEFLEET_DOCKER in the environment overrides builder.docker', async () => {
    const root = makeTree({
      'services.manifest.yaml': FULL,
      'apps/platform-base/Dockerfile': 'FROM scratch',
      'services/agents/docker/Dockerfile.prod': 'FROM platform-base',
    });
    expect((await load(root, { IMAGEFLEET_DOCKER: '/opt/docker-20.10/docker' })).builder.docker).toBe(
      '/opt/docker-20.10/docker',
    );
    expect((await load(root, { IMAGEFLEET_DOCKER: '' })).builder.docker).toBe('/usr/bin/docker');
  });

  describe('the engine up.sh recorded in .imagefleet/engine.env', () => {
    const ENGINE_ENV = [
      'IMAGEFLEET_ENGINE=docker28',
      'DOCKER_HOST=unix:///var/run/docker.sock',
      'IMAGEFLEET_DOCKER=/state/docker28/usr/bin/docker',
      'DOCKER_CONFIG=/state/docker-config',
      '',
    ].join('\n');
    const tree = (extra: Record<string, string> = {}) =>
      makeTree({
        'services.manifest.yaml': FULL,
        'apps/platform-base/Dockerfile': 'FROM scratch',
        'services/agents/docker/Dockerfile.prod': 'FROM platform-base',
        ...extra,
      });

    test('a shell that did not source it still gets the recorded CLI, engine and config', async () => {
      const root = tree({ '.imagefleet/engine.env': ENGINE_ENV });
      expect((await load(root, {})).builder).toMatchObject({
        docker: '/state/docker28/usr/bin/docker',
        env: { DOCKER_HOST: 'unix:///var/run/docker.sock', DOCKER_CONFIG: '/state/docker-config' },
      });
    });

    test('a variable set in the environment wins, one by one', async () => {
      const root = tree({ '.imagefleet/engine.env': ENGINE_ENV });
      const builder = (await load(root, { IMAGEFLEET_DOCKER: '/opt/docker', DOCKER_HOST: 'tcp://e:2375' })).builder;
      expect(builder).toMatchObject({
        docker: '/opt/docker',
        env: { DOCKER_HOST: 'tcp://e:2375', DOCKER_CONFIG: '/state/docker-config' },
      });
    });

    test('IMAGEFLEET_STATE_DIR moves it, as it moves up.sh state', async () => {
      const root = tree({ 'elsewhere/engine.env': 'IMAGEFLEET_DOCKER=/elsewhere/docker\n' });
      const env = { IMAGEFLEET_STATE_DIR: `${root}/elsewhere` };
      expect((await load(root, env)).builder).toMatchObject({ docker: '/elsewhere/docker', env: {} });
    });

    test('without one, builder.docker and no engine variables', async () => {
      expect((await load(tree(), {})).builder).toMatchObject({ docker: '/usr/bin/docker', env: {} });
    });
  });

  test('keeps services in file order, even names JavaScript would sort first', async () => {
    const root = makeTree({
      'services.manifest.yaml': lines(
        'registry:',
        '  host: r.example.com',
        '  namespace: n',
        'services:',
        '  web:',
        '  "2":',
        '  api:',
      ),
      'apps/web/Dockerfile': 'FROM scratch',
      'apps/2/Dockerfile': 'FROM scratch',
      'apps/api/Dockerfile': 'FROM scratch',
    });
    const manifest = await load(root);
    expect(manifest.services.map((s) => [s.name, s.line])).toEqual([
      ['web', 5],
      ['2', 6],
      ['api', 7],
    ]);
  });

  test('a context at the root is "." and its Dockerfile relative to the root', async () => {
    const root = makeTree({
      'services.manifest.yaml': lines(
        'registry:',
        '  host: r.example.com',
        '  namespace: n',
        'services:',
        '  a:',
        '    context: .',
      ),
      Dockerfile: 'FROM scratch',
    });
    expect((await load(root)).services[0]).toMatchObject({
      context: root,
      contextRel: '.',
      dockerfileRel: 'Dockerfile',
    });
  });

  test('names the file as given in every issue', async () => {
    const root = makeTree({
      'services.manifest.yaml': lines(
        'registry:',
        '  host: r.example.com',
        '  namespace: n',
        'services:',
        '  www_ameide:',
      ),
    });
    const given = path.relative(process.cwd(), path.join(root, 'services.manifest.yaml'));
    const error = await loadManifest(given).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).message).toBe(
      [
        `${given}:5:3 services.www_ameide: image names use hyphens, not underscores: rename to "www-ameide"`,
        `${given}:5:3 services.www_ameide.context: context directory apps/www_ameide does not exist: create it or set services.www_ameide.context`,
      ].join('\n'),
    );
    expect((error as ManifestError).issues[0]).toEqual({
      file: given,
      line: 5,
      column: 3,
      path: 'services.www_ameide',
      message: 'image names use hyphens, not underscores: rename to "www-ameide"',
    });
  });

  test('a missing file is a ManifestError that says what to do', async () => {
    const root = makeTree({});
    const error = await load(root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).message).toMatch(
      /services\.manifest\.yaml:1:1 manifest not found .*: create services\.manifest\.yaml or pass its path$/,
    );
  });
});
