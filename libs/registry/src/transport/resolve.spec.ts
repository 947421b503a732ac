import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isLocalhostName, resolveHost } from './resolve.js';
import { send } from './send.js';

describe('*.localhost is loopback (RFC 6761), one rule for checks and requests', () => {
  it.each([
    ['k3d-ameide.localhost', true],
    ['K3D.LOCALHOST.', true],
    ['localhost', true],
    ['localhost.example.com', false],
    ['notlocalhost', false],
  ])('%s → %s', (name, expected) => expect(isLocalhostName(name)).toBe(expected));

  it('resolveHost answers 127.0.0.1 for a *.localhost name without asking the system', async () => {
    expect(await resolveHost('k3d-nowhere.localhost')).toEqual({ address: '127.0.0.1', family: 4 });
  });

  it('a request to http://<name>.localhost:<port> reaches the server on 127.0.0.1', async () => {
    const server = createServer((_req, res) => res.end('ok')).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const port = (server.address() as { port: number }).port;
      const res = await send(new URL(`http://k3d-test.localhost:${port}/v2/`), {
        method: 'GET',
        headers: {},
        timeoutMs: 5000,
      });
      expect(await res.text()).toBe('ok');
    } finally {
      server.close();
    }
  });
});
