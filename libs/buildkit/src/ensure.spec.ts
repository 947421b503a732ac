import { describe, expect, it } from 'vitest';
import type { BuilderCreate } from '@imagefleet/manifest';
import { buildxCreateArgs, ensureBuilder, type DockerRun } from './ensure.js';

const create = (o: Partial<BuilderCreate>): BuilderCreate => ({
  driver: 'remote',
  endpoint: null,
  driverOpts: {},
  buildkitdConfig: null,
  namespace: null,
  replicas: null,
  ...o,
});

describe('buildx create arguments', () => {
  it.each([
    [
      'seed 002: BuildKit pods in namespace ameide',
      create({
        driver: 'kubernetes',
        namespace: 'ameide',
        replicas: 2,
        buildkitdConfig: '/w/infra/docker/buildkitd.toml',
      }),
      [
        '--driver',
        'kubernetes',
        '--driver-opt',
        'namespace=ameide',
        '--driver-opt',
        'replicas=2',
        '--buildkitd-config',
        '/w/infra/docker/buildkitd.toml',
      ],
    ],
    [
      'seed 004: a remote buildkitd',
      create({ endpoint: 'tcp://buildkitd:1234' }),
      ['--driver', 'remote', 'tcp://buildkitd:1234'],
    ],
    [
      'docker-container with a local image',
      create({
        driver: 'docker-container',
        driverOpts: { image: 'localhost:5001/moby/buildkit:v0.32.0-local', network: 'host' },
      }),
      [
        '--driver',
        'docker-container',
        '--driver-opt',
        'image=localhost:5001/moby/buildkit:v0.32.0-local',
        '--driver-opt',
        'network=host',
      ],
    ],
  ])('%s', (_, c, tail) => {
    expect(buildxCreateArgs('ameide-k8s', c)).toEqual(['buildx', 'create', '--name', 'ameide-k8s', ...tail]);
  });
});

describe('ensure', () => {
  /** Answers by the buildx subcommand, recording what ran. */
  const fake = (answers: Record<string, { ok: boolean; output: string }[]>) => {
    const ran: string[] = [];
    const run: DockerRun = async (cmd) => {
      const key = cmd.args[1]!;
      ran.push(cmd.args.slice(0, 2).join(' '));
      return answers[key]!.shift()!;
    };
    return { run, ran };
  };
  const c = create({ endpoint: 'tcp://buildkitd:1234' });

  it('leaves a healthy builder alone', async () => {
    const { run, ran } = fake({ inspect: [{ ok: true, output: 'Name: b\nDriver: remote\n' }] });
    expect(await ensureBuilder('docker', 'b', c, run)).toEqual({
      status: 'healthy',
      line: 'builder b: driver remote and running, left alone',
    });
    expect(ran).toEqual(['buildx inspect']);
  });

  it('creates a missing one and bootstraps it', async () => {
    const { run, ran } = fake({
      inspect: [
        { ok: false, output: 'ERROR: no builder "b" found' },
        { ok: true, output: 'Driver: remote' },
      ],
      create: [{ ok: true, output: 'b' }],
    });
    expect((await ensureBuilder('docker', 'b', c, run)).line).toBe(
      'builder b: created (remote at tcp://buildkitd:1234) and bootstrapped',
    );
    expect(ran).toEqual(['buildx inspect', 'buildx create', 'buildx inspect']);
  });

  it('recreates one that no longer bootstraps', async () => {
    const { run, ran } = fake({
      inspect: [
        { ok: false, output: 'ERROR: connection refused' },
        { ok: true, output: 'Driver: remote' },
      ],
      rm: [{ ok: true, output: '' }],
      create: [{ ok: true, output: 'b' }],
    });
    expect((await ensureBuilder('docker', 'b', c, run)).status).toBe('recreated');
    expect(ran).toEqual(['buildx inspect', 'buildx rm', 'buildx create', 'buildx inspect']);
  });

  it('says why when the new one does not bootstrap', async () => {
    const { run } = fake({
      inspect: [
        { ok: false, output: 'no builder "b" found' },
        { ok: false, output: 'ERROR: dial tcp: connection refused' },
      ],
      create: [{ ok: true, output: 'b' }],
    });
    expect(await ensureBuilder('docker', 'b', c, run)).toEqual({
      status: 'failed',
      line: 'builder b was created but does not bootstrap: ERROR: dial tcp: connection refused',
    });
  });
});
