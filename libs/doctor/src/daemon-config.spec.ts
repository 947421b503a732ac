import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { daemonConfig, parseDockerdArgs } from './daemon-config.js';
import { engineSpeaksHttp } from './engine.js';

describe('parseDockerdArgs', () => {
  it.each([
    [[], { configFile: null, insecureFlags: false, hosts: [] }],
    [
      ['--host', 'unix:///var/run/docker.sock', '--config-file', '/srv/daemon.json'],
      { configFile: '/srv/daemon.json', insecureFlags: false, hosts: ['unix:///var/run/docker.sock'] },
    ],
    [
      [
        '-H=unix:///run/e2.sock',
        '--config-file=/srv/d.json',
        '--insecure-registry',
        '10.0.0.1/30',
        '--data-root',
        '/d',
      ],
      { configFile: '/srv/d.json', insecureFlags: true, hosts: ['unix:///run/e2.sock'] },
    ],
    [
      ['--insecure-registry=reg.lan:5000', '-H', 'tcp://0.0.0.0:2375'],
      { configFile: null, insecureFlags: true, hosts: ['tcp://0.0.0.0:2375'] },
    ],
  ])('%j', (args, expected) => expect(parseDockerdArgs(args)).toEqual(expected));
});

describe('daemonConfig: the file the engine on this socket reads, from its command line', () => {
  let proc = '';
  afterEach(() => rmSync(proc, { recursive: true, force: true }));
  const fakeProc = (processes: Record<string, string[]>) => {
    proc = mkdtempSync(path.join(tmpdir(), 'proc-'));
    for (const [pid, args] of Object.entries(processes)) {
      mkdirSync(path.join(proc, pid));
      writeFileSync(path.join(proc, pid, 'cmdline'), `${args.join('\0')}\0`);
    }
    mkdirSync(path.join(proc, 'self'));
    return proc;
  };
  const MACHINE = {
    '12': ['/usr/bin/containerd'],
    '2554': [
      '/opt/docker28/dockerd',
      '--host',
      'unix:///var/run/docker.sock',
      '--config-file',
      '/srv/docker28-daemon.json',
    ],
    '2807': ['/usr/sbin/dockerd', '--host', 'unix:///run/e2/docker.sock', '--insecure-registry', '10.203.0.1/30'],
  };

  it.each([
    [undefined, { file: '/srv/docker28-daemon.json', flags: false }],
    ['unix:///var/run/docker.sock', { file: '/srv/docker28-daemon.json', flags: false }],
    ['unix:///run/e2/docker.sock', { file: '/etc/docker/daemon.json', flags: true }],
    ['tcp://10.0.0.5:2375', { file: '/etc/docker/daemon.json', flags: false, commandLine: null }],
    ['unix:///run/other.sock', { file: '/etc/docker/daemon.json', flags: false, commandLine: null }],
  ])('DOCKER_HOST=%s', async (dockerHost, expected) => {
    expect(await daemonConfig(dockerHost, fakeProc(MACHINE))).toMatchObject(expected);
  });

  it('a dockerd with no --host serves the default socket', async () => {
    expect(await daemonConfig(undefined, fakeProc({ '7': ['dockerd', '--config-file', '/x.json'] }))).toMatchObject({
      file: '/x.json',
    });
  });
});

describe('the insecure-registries fix names the file the engine reads', () => {
  const DEFAULT = { IndexConfigs: {}, InsecureRegistryCIDRs: ['127.0.0.0/8'] };
  it.each([
    [
      { file: '/srv/docker28-daemon.json', flags: false },
      'add "reg.lan:5000" to "insecure-registries" in /srv/docker28-daemon.json and restart dockerd (the way it was started)',
    ],
    [
      { file: '/etc/docker/daemon.json', flags: true },
      "add --insecure-registry reg.lan:5000 to dockerd's command line (it sets its insecure registries by flag; the same key in /etc/docker/daemon.json would stop it starting) and restart it",
    ],
  ])('%j', (daemon, fix) => {
    expect(engineSpeaksHttp('reg.lan:5000', 'pushHost', DEFAULT, ['192.168.1.20'], daemon).fix).toBe(fix);
  });
});
