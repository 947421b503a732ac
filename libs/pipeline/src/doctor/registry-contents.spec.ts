import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listCatalog, staleContentTags, underscoreRepositories } from './registry-contents.js';

let server: Server | undefined;
afterEach(() => server?.close());

describe('underscoreRepositories (seed failure mode 6)', () => {
  it('reports ameide/www_ameide, not other namespaces', () => {
    expect(underscoreRepositories(['ameide/www-ameide', 'other/x_y'], 'ameide')).toMatchObject({ ok: true });
    const check = underscoreRepositories(['ameide/www-ameide', 'ameide/www_ameide', 'other/x_y'], 'ameide');
    expect(check).toMatchObject({ name: 'repository names', ok: false, detail: '1 repository(ies) with "_" under ameide/: ameide/www_ameide (now ameide/www-ameide)' });
    expect(check.fix).toMatch(/hyphens/);
  });
});

describe('staleContentTags', () => {
  const tags = (n: number) => ['dev', ...Array.from({ length: n }, (_, i) => `content-${i}`)];
  it('at most retention.keep per service passes; more names each service and prune', () => {
    expect(staleContentTags(new Map([['a', tags(5)], ['b', []]]), 5).ok).toBe(true);
    expect(staleContentTags(new Map([['a', tags(7)], ['b', tags(2)], ['c', tags(6)]]), 5)).toEqual({
      name: 'content tags',
      ok: false,
      detail: 'a 7, c 6 content-* tags (retention.keep: 5)',
      fix: 'imagefleet prune (--dry-run lists what would go)',
    });
  });
});

describe('listCatalog', () => {
  it('follows Link rel="next" and sends the authorization given', async () => {
    const seen: string[] = [];
    server = createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization ?? '-'}`);
      if (req.url === '/v2/_catalog?n=1000') res.writeHead(200, { Link: '</v2/_catalog?last=a%2Fb&n=1000>; rel="next"' }).end('{"repositories":["a/b"]}');
      else res.writeHead(200).end('{"repositories":["ameide/www_ameide"]}');
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(await listCatalog(origin, { authorization: 'Basic eDp5' })).toEqual(['a/b', 'ameide/www_ameide']);
    expect(seen).toEqual(['/v2/_catalog?n=1000 Basic eDp5', '/v2/_catalog?last=a%2Fb&n=1000 Basic eDp5']);
  });

  it('a 401 says the catalog needs credentials', async () => {
    server = createServer((_, res) => res.writeHead(401).end());
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    await expect(listCatalog(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)).rejects.toThrow(/HTTP 401 \(the catalog needs credentials/);
  });
});
