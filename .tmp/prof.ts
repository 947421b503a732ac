import pLimit from 'p-limit';
import { createRegistryClient, verifyImages, type VerifyItem } from '../libs/registry/src/index.js';
import { pushRandomImage, startRegistry } from '../test/support/registry-server.js';
const registry = await startRegistry();
try {
  const client = createRegistryClient({ host: registry.host });
  const push = pLimit(8);
  const imgs = await Promise.all(Array.from({ length: 100 }, (_, i) => push(async () => {
    const repo = `bench/svc-${i}`; const p = await pushRandomImage(client, repo, 'dev', { layers: 3 }); return { repo, ref: 'dev', expectedDigest: p.digest, p };
  })));
  const items: VerifyItem[] = imgs.map(({ repo, ref, expectedDigest }) => ({ repo, ref, expectedDigest }));
  const time = async (label: string, fn: () => Promise<unknown>) => {
    for (let k = 0; k < 4; k++) {
      const c0 = process.cpuUsage(); const t0 = performance.now();
      await fn();
      const dt = performance.now() - t0; const cpu = process.cpuUsage(c0);
      console.log(label, dt.toFixed(0), 'ms wall', ((cpu.user + cpu.system) / 1000).toFixed(0), 'ms cpu');
    }
  };
  await time('verifyImages c16', () => verifyImages(client, items, { concurrency: 16 }));
  await time('verifyImages c32', () => verifyImages(client, items, { concurrency: 32 }));
  const lim = pLimit(16);
  const reqs = imgs.flatMap(({ repo, p }) => [
    { url: `http://${registry.host}/v2/${repo}/manifests/dev`, method: 'GET' },
    ...[p.config, ...p.layers].map((d) => ({ url: `http://${registry.host}/v2/${repo}/blobs/${d.digest}`, method: 'HEAD' })),
  ]);
  await time('raw fetch 500 c16', () => Promise.all(reqs.map((r) => lim(async () => { const res = await fetch(r.url, { method: r.method, headers: { accept: 'x' } }); await res.arrayBuffer(); }))));
  const { request, Agent } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  await time('raw http 500 c16', () => Promise.all(reqs.map((r) => lim(() => new Promise<void>((ok, bad) => {
    const q = request(r.url, { method: r.method, agent }, (res) => { res.resume(); res.on('end', ok); }); q.on('error', bad); q.end(); })))));
} finally { await registry.stop(); }
process.exit(0);
