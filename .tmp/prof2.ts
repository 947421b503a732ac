import pLimit from 'p-limit';
import { createRegistryClient } from '../libs/registry/src/index.js';
import { pushRandomImage, startRegistry } from '../test/support/registry-server.js';
const registry = await startRegistry();
try {
  const client = createRegistryClient({ host: registry.host });
  const p = await pushRandomImage(client, 'bench/a', 'dev', { layers: 3 });
  const url = `http://${registry.host}/v2/bench/a/blobs/${p.layers[0]!.digest}`;
  const lim = pLimit(16);
  const time = async (label: string, fn: () => Promise<unknown>) => {
    let best = 1e9, bestCpu = 1e9;
    for (let k = 0; k < 6; k++) {
      const c0 = process.cpuUsage(); const t0 = performance.now();
      await Promise.all(Array.from({ length: 1000 }, () => lim(fn)));
      best = Math.min(best, performance.now() - t0); const cpu = process.cpuUsage(c0); bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1000);
    }
    console.log(label.padEnd(30), best.toFixed(0), 'ms wall', bestCpu.toFixed(0), 'ms cpu (1000 HEADs)');
  };
  await time('client.headBlob0', async () => { await client.headBlob('bench/a', p.layers[0]!.digest); });
  await time('fetch plain', async () => { await fetch(url, { method: 'HEAD' }); });
  await time('fetch + timeout signal', async () => { await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(30000) }); });
  await time('fetch + controller/setTimeout', async () => { const c = new AbortController(); const t = setTimeout(() => c.abort(), 30000); try { await fetch(url, { method: 'HEAD', signal: c.signal }); } finally { clearTimeout(t); } });
  await time('fetch + manual + headers', async () => { await fetch(url, { method: 'HEAD', redirect: 'manual', headers: { 'user-agent': 'x', accept: 'y' } }); });
  await time('client.headBlob', async () => { await client.headBlob('bench/a', p.layers[0]!.digest); });
} finally { await registry.stop(); }
process.exit(0);
