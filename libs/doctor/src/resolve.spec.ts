import { describe, expect, it } from 'vitest';
import { hostname, manifestHosts, resolvesHere, type Lookup } from './resolve.js';

const known: Lookup = async (name) => {
  if (name === 'localhost' || name === 'reg.example') return { address: '127.0.0.1' };
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
};

describe('resolvesHere', () => {
  it('a name that resolves, an IP literal', async () => {
    expect(
      await resolvesHere({ host: 'localhost:5001', roles: ['pushHost'] }, known, {
        etcHosts: null,
        builderOnly: false,
      }),
    ).toEqual({
      name: 'resolve localhost',
      ok: true,
      detail: '127.0.0.1 (pushHost)',
      fix: '',
    });
    expect(
      (await resolvesHere({ host: '10.0.0.5:5000', roles: ['host'] }, known, { etcHosts: null, builderOnly: false }))
        .detail,
    ).toBe('an IP address (host)');
  });

  it('*.localhost that glibc does not map: loopback for imagefleet, and the /etc/hosts line from libs/cluster for other tools', async () => {
    const check = await resolvesHere({ host: 'k3d-ameide.localhost:5001', roles: ['host'] }, known, {
      etcHosts: '127.0.0.1 k3d-ameide.localhost',
      builderOnly: false,
    });
    expect(check).toEqual({
      name: 'resolve k3d-ameide.localhost',
      ok: true,
      detail:
        'loopback for imagefleet (RFC 6761) (host); glibc does not map it (ENOTFOUND): for docker and other tools, add "127.0.0.1 k3d-ameide.localhost" to /etc/hosts',
      fix: '',
    });
  });

  it('a remote name without a suggested line; a builder-only host is not this machine’s to resolve', async () => {
    const remote = await resolvesHere({ host: 'pull.example.com', roles: ['host'] }, known, {
      etcHosts: null,
      builderOnly: false,
    });
    expect(remote.fix).toBe('make pull.example.com resolvable here (DNS, or an /etc/hosts line)');
    const builder = await resolvesHere({ host: 'k3d-dev-reg:5000', roles: ['builderHost'] }, known, {
      etcHosts: null,
      builderOnly: true,
    });
    expect(builder.ok).toBe(true);
    expect(builder.detail).toMatch(/only the builder uses it/);
  });

  it('a lookup that hangs is bounded', async () => {
    const hang: Lookup = () => new Promise(() => undefined);
    const check = await resolvesHere({ host: 'slow.example', roles: ['host'] }, hang, {
      etcHosts: null,
      builderOnly: false,
      timeoutMs: 50,
    });
    expect(check.detail).toMatch(/ETIMEOUT/);
  });
});

describe('manifestHosts / hostname', () => {
  it('each distinct host once, with every key that names it', () => {
    expect(
      manifestHosts({ host: 'a:1', pushHost: 'b:1', builderHost: 'b:1', hosts: { 'a:1': {}, 'c:2': {} } }),
    ).toEqual([
      { host: 'a:1', roles: ['host'] },
      { host: 'b:1', roles: ['pushHost', 'builderHost'] },
      { host: 'c:2', roles: ['registry.hosts'] },
    ]);
  });
  it.each([
    ['localhost:5001', 'localhost'],
    ['reg.example', 'reg.example'],
    ['[::1]:5000', '::1'],
    ['::1', '::1'],
  ])('%s → %s', (host, name) => expect(hostname(host)).toBe(name));
});
