import { describe, expect, it } from 'vitest';
import { buildxCheck, engineCheck, engineSpeaksHttp } from './engine.js';

const DEFAULT = {
  IndexConfigs: { 'docker.io': { Name: 'docker.io', Secure: true } },
  InsecureRegistryCIDRs: ['::1/128', '127.0.0.0/8'],
};

describe('engineSpeaksHttp (dockerd: loopback, insecure-registries, insecure CIDRs)', () => {
  it.each([
    ['localhost:5001', DEFAULT, [], true, 'loopback (pushHost): the engine always allows plain HTTP there'],
    ['127.0.0.1:5001', DEFAULT, [], true, 'loopback (pushHost): the engine always allows plain HTTP there'],
    [
      'reg.lan:5000',
      { ...DEFAULT, IndexConfigs: { 'reg.lan:5000': { Secure: false } } },
      [],
      true,
      "reg.lan:5000 is in the engine's insecure-registries",
    ],
    [
      'reg.lan:5000',
      { ...DEFAULT, InsecureRegistryCIDRs: ['10.0.0.0/8'] },
      ['10.1.2.3'],
      true,
      'reg.lan:5000 (10.1.2.3) is in an insecure CIDR of the engine',
    ],
    [
      'k3d-ameide.localhost:5001',
      DEFAULT,
      ['127.0.0.1'],
      true,
      'k3d-ameide.localhost:5001 (127.0.0.1) is in an insecure CIDR of the engine',
    ],
  ])('%s passes', (host, config, addresses, ok, detail) => {
    expect(engineSpeaksHttp(host, 'pushHost', config, addresses)).toMatchObject({ ok, detail });
  });

  it('a non-loopback HTTP host that is not listed: the daemon.json fix', () => {
    expect(engineSpeaksHttp('reg.lan:5000', 'builderHost', DEFAULT, ['192.168.1.20'])).toEqual({
      name: 'engine → reg.lan:5000 over HTTP',
      ok: false,
      detail:
        'the engine speaks only HTTPS to reg.lan:5000 (builderHost, plain HTTP in the manifest): it is not in insecure-registries',
      fix: 'add "reg.lan:5000" to "insecure-registries" in /etc/docker/daemon.json and restart dockerd (systemctl restart docker)',
    });
    // Listed with Secure: true (docker.io style) is not insecure.
    expect(
      engineSpeaksHttp(
        'reg.lan:5000',
        'pushHost',
        { IndexConfigs: { 'reg.lan:5000': { Secure: true } }, InsecureRegistryCIDRs: null },
        [],
      ).ok,
    ).toBe(false);
  });
});

describe('engineCheck / buildxCheck', () => {
  it('names version and image store, or where it looked', () => {
    expect(engineCheck({ version: '28.5.2', containerdStore: true }, 'unix:///var/run/docker.sock').detail).toBe(
      'Docker 28.5.2 at unix:///var/run/docker.sock, containerd image store',
    );
    const down = engineCheck(new Error('connect ENOENT /var/run/docker.sock'), 'unix:///var/run/docker.sock');
    expect([down.ok, down.detail]).toEqual([
      false,
      'no Docker engine at unix:///var/run/docker.sock: connect ENOENT /var/run/docker.sock',
    ]);
  });
  it('buildx present or not', () => {
    expect(
      buildxCheck({ ok: true, stdout: 'github.com/docker/buildx v0.23.0 abc\n', reason: '' }, 'docker'),
    ).toMatchObject({ ok: true, detail: 'github.com/docker/buildx v0.23.0 abc' });
    const missing = buildxCheck(
      { ok: false, stdout: '', reason: "exit 1: docker: 'buildx' is not a docker command." },
      '/usr/bin/docker',
    );
    expect(missing.ok).toBe(false);
    expect(missing.fix).toMatch(/docker-buildx-plugin.*builder\.driver: docker/);
  });
});
