import dc from 'node:diagnostics_channel';
import pLimit from 'p-limit';
import { createRegistryClient, verifyImages, type VerifyItem } from '../libs/registry/src/index.js';
import { pushRandomImage, startRegistry } from '../test/support/registry-server.js';
let sockets = 0; dc.subscribe('net.client.socket', () => sockets++);
let errors = 0; const OrigErr = globalThis.DOMException;
const registry = await startRegistry();
try {
  const client = createRegistryClient({ host: registry.host });
  const push = pLimit(8);
  const items: VerifyItem[] = await Promise.all(Array.from({ length: 100 }, (_, i) => push(async () => {
    const repo = `bench/svc-${i}`; const p = await pushRandomImage(client, repo, 'dev', { layers: 3 }); return { repo, ref: 'dev', expectedDigest: p.digest };
  })));
  console.log('sockets during push', sockets); sockets = 0;
  for (let k = 0; k < 3; k++) { await verifyImages(client, items, { concurrency: 16 }); console.log('sockets during verify', sockets); sockets = 0; }
} finally { await registry.stop(); }
process.exit(0);
