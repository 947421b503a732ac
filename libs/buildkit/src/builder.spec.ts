import { describe, expect, it } from 'vitest';
import { createBuilder } from './factory.js';
import { explainBuildFailure, explainPushFailure, parseImageId, parsePushDigest } from './output.js';
import type { BuildSpec } from './types.js';

const spec: BuildSpec = {
  service: 'agents-runtime',
  context: '/w/apps/agents-runtime',
  dockerfile: '/w/apps/agents-runtime/Dockerfile',
  tags: ['k3d-ameide.localhost:5001/ameide/agents-runtime:dev', 'ameide/agents-runtime:dev'],
  buildArgs: { Z: '1', A: 'x y' },
  secrets: ['GIT_AUTH_TOKEN', 'DOCKER_HOST'],
  secretFiles: { GIT_AUTH_TOKEN: '/t/s/GIT_AUTH_TOKEN', DOCKER_HOST: '/t/s/DOCKER_HOST' },
  labels: { 'org.imagefleet.service': 'agents-runtime' },
  annotations: {},
  iidFile: '/tmp/iid',
};

describe('build command lines', () => {
  const ARGS = [
    '--progress=plain',
    '--file',
    '/w/apps/agents-runtime/Dockerfile',
    '--tag',
    'k3d-ameide.localhost:5001/ameide/agents-runtime:dev',
    '--tag',
    'ameide/agents-runtime:dev',
    '--build-arg',
    'A=x y',
    '--build-arg',
    'Z=1',
    '--secret',
    'id=GIT_AUTH_TOKEN,src=/t/s/GIT_AUTH_TOKEN',
    '--secret',
    'id=DOCKER_HOST,src=/t/s/DOCKER_HOST',
    '--label',
    'org.imagefleet.service=agents-runtime',
    '--iidfile',
    '/tmp/iid',
    '/w/apps/agents-runtime',
  ];
  const ENGINE = { DOCKER_HOST: 'unix:///run/engine.sock', DOCKER_CONFIG: '/state/docker-config' };
  it.each([
    ['docker', '/usr/bin/docker', ['build'], {}, { DOCKER_BUILDKIT: '1' }],
    ['docker', '/usr/bin/docker', ['build'], ENGINE, { ...ENGINE, DOCKER_BUILDKIT: '1' }],
    ['buildx', 'docker', ['buildx', 'build', '--load', '--provenance=false'], {}, {}],
    ['buildx', 'docker', ['buildx', 'build', '--load', '--provenance=false'], ENGINE, ENGINE],
  ] as const)(
    '%s driver (%s), engine env %j: secrets by file, the engine env for the CLI',
    (driver, docker, head, engineEnv, env) => {
      const cmd = createBuilder({ driver, docker, env: engineEnv }).buildCommand(spec);
      expect(cmd.file).toBe(docker);
      expect(cmd.args).toEqual([...head, ...ARGS]);
      expect(cmd.env).toEqual(env);
    },
  );

  it('refuses a secret without a file', () => {
    const cmd = () => createBuilder({ driver: 'docker', docker: 'docker' }).buildCommand({ ...spec, secretFiles: {} });
    expect(cmd).toThrow(/secret GIT_AUTH_TOKEN needed by service agents-runtime has no file/);
  });
});

describe('manifest annotations', () => {
  const annotations = { 'org.opencontainers.image.revision': 'abc', 'org.opencontainers.image.source': 'https://g/x' };
  it('a builder that pushes writes them into the manifest it pushes', () => {
    const cmd = createBuilder({ driver: 'buildx', docker: 'docker', name: 'remote' }).buildCommand(
      { ...spec, secrets: [], annotations, push: { metadataFile: '/tmp/m.json' } },
    );
    const at = cmd.args.indexOf('--annotation');
    expect(cmd.args.slice(at, at + 4)).toEqual([
      '--annotation',
      'org.opencontainers.image.revision=abc',
      '--annotation',
      'org.opencontainers.image.source=https://g/x',
    ]);
  });
  it.each(['docker', 'buildx'] as const)(
    '%s loading into the engine leaves them out: the engine writes the manifest',
    (driver) => {
      const cmd = createBuilder({ driver, docker: 'docker' }).buildCommand({ ...spec, secrets: [], annotations });
      expect(cmd.args).not.toContain('--annotation');
    },
  );
});

describe('builders that push themselves (issue seeds 002 and 004)', () => {
  const pushSpec: BuildSpec = {
    ...spec,
    tags: ['k3d-dev-reg:5000/ameide/agents-runtime:dev'],
    secrets: [],
    push: { metadataFile: '/tmp/m.json' },
  };
  const tail = [
    '--output',
    'type=image,push=true',
    '--metadata-file',
    '/tmp/m.json',
    '--provenance=false',
    '--progress=plain',
    '--file',
    '/w/apps/agents-runtime/Dockerfile',
    '--tag',
    'k3d-dev-reg:5000/ameide/agents-runtime:dev',
    '--build-arg',
    'A=x y',
    '--build-arg',
    'Z=1',
    '--label',
    'org.imagefleet.service=agents-runtime',
    '--iidfile',
    '/tmp/iid',
    '/w/apps/agents-runtime',
  ];
  it.each([
    [
      'an in-cluster BuildKit by buildx name (kubernetes driver, seed 002)',
      { name: 'k8s-builder' },
      ['buildx', 'build', '--builder', 'k8s-builder', ...tail],
      {},
    ],
    [
      'a remote buildkitd registered as a buildx remote builder (seed 004)',
      { name: 'remote-buildkitd' },
      ['buildx', 'build', '--builder', 'remote-buildkitd', ...tail],
      {},
    ],
    [
      'another engine by DOCKER_HOST value',
      { endpoint: 'tcp://builder.internal:2375' },
      ['buildx', 'build', ...tail],
      { DOCKER_HOST: 'tcp://builder.internal:2375' },
    ],
    [
      'another engine over ssh',
      { endpoint: 'ssh://ci@builder' },
      ['buildx', 'build', ...tail],
      { DOCKER_HOST: 'ssh://ci@builder' },
    ],
    [
      'a docker context by name',
      { endpoint: 'builder-ctx' },
      ['--context', 'builder-ctx', 'buildx', 'build', ...tail],
      {},
    ],
  ] as const)('%s', (_name, opts, args, env) => {
    const builder = createBuilder({ driver: 'buildx', docker: 'docker', ...opts });
    expect(builder.pushesItself).toBe(true);
    const cmd = builder.buildCommand(pushSpec);
    expect(cmd.args).toEqual(args);
    expect(cmd.env).toEqual(env);
  });

  it("the engine's own builders load the image for the engine to push", () => {
    expect(createBuilder({ driver: 'buildx', docker: 'docker' }).pushesItself).toBe(false);
    expect(createBuilder({ driver: 'docker', docker: 'docker' }).pushesItself).toBe(false);
    expect(() => createBuilder({ driver: 'docker', docker: 'docker' }).buildCommand(pushSpec)).toThrow(
      /use builder.driver buildx/,
    );
  });
});

describe('reading docker output', () => {
  const digest = `sha256:${'ab'.repeat(32)}`;
  it.each([
    [
      `The push refers to repository [localhost:5001/ameide/x]\n5f70bf18a086: Pushed\ndev: digest: ${digest} size: 528`,
      digest,
    ],
    ['5f70bf18a086: Waiting', null],
  ])('push digest of %#', (out, expected) => {
    expect(parsePushDigest(out)).toBe(expected);
  });

  it('image id', () => {
    expect(parseImageId(`${digest}\n`)).toBe(digest);
    expect(parseImageId('')).toBeNull();
  });

  it.each([
    [
      'ERROR: BuildKit is enabled but the buildx component is missing or broken.',
      /set builder\.docker .*\/usr\/bin\/docker/,
    ],
    ['Cannot connect to the Docker daemon at unix:///var/run/docker.sock.', /tools\/dev-env\/up\.sh/],
    ['failed to solve: failed to resolve source metadata for docker.io/library/x:1', /base image could not be found/],
  ])('explains build failure %#', (out, re) => {
    expect(explainBuildFailure(out, '/usr/local/bin/docker')).toMatch(re);
  });

  it.each([
    ['Get "https://reg:5000/v2/": http: server gave HTTP response to HTTPS client', /plain HTTP.*insecure-registries/],
    ['dial tcp: lookup k3d-ameide.localhost: no such host', /does not resolve/],
    ['dial tcp 127.0.0.1:5001: connect: connection refused', /nothing listens/],
    ['unauthorized: authentication required', /docker login/],
    ['random failure', null],
  ])('explains push failure %#', (out, re) => {
    const got = explainPushFailure(out, 'reg:5000');
    if (re === null) expect(got).toBeNull();
    else expect(got).toMatch(re);
  });
});
