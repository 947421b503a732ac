import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { fetchToken } from './token.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(
  handler: (req: IncomingMessage, res: import('node:http').ServerResponse) => void,
): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('a realm that redirects is followed; the Basic credentials go only to the realm origin', async () => {
  const seen: string[] = [];
  const elsewhere = await serve((req, res) => {
    seen.push(`elsewhere ${req.url} ${req.headers.authorization ?? '-'}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"t-elsewhere","expires_in":300}');
  });
  const realm = await serve((req, res) => {
    seen.push(`realm ${req.url} ${req.headers.authorization ?? '-'}`);
    if (req.url?.startsWith('/token?'))
      res.writeHead(307, { location: `/v2/token${req.url.slice('/token'.length)}` }).end();
    else res.writeHead(302, { location: `${elsewhere}/issue` }).end();
  });
  const credentials = { username: 'u', password: 'p', source: 'test' };
  const token = await fetchToken({
    realm: `${realm}/token`,
    service: 's',
    scopes: ['repository:a:pull'],
    credentials,
    timeoutMs: 2000,
  });
  expect(token.token).toBe('t-elsewhere');
  expect(seen).toEqual([
    'realm /token?service=s&scope=repository%3Aa%3Apull Basic dTpw',
    'realm /v2/token?service=s&scope=repository%3Aa%3Apull Basic dTpw',
    'elsewhere /issue -',
  ]);
});
