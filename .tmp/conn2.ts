import dc from 'node:diagnostics_channel';
import { createRegistryClient } from '../libs/registry/src/index.js';
import { pushRandomImage, startRegistry } from '../test/support/registry-server.js';
let sockets = 0; dc.subscribe('net.client.socket', () => sockets++);
const registry = await startRegistry();
try {
  const client = createRegistryClient({ host: registry.host });
  const p = await pushRandomImage(client, 'bench/a', 'dev', { layers: 3 });
  const url = `http://${registry.host}/v2/bench/a/blobs/${p.layers[0]!.digest}`;
  const murl = `http://${registry.host}/v2/bench/a/manifests/dev`;
  sockets = 0;
  for (let i = 0; i < 10; i++) { const r = await fetch(url, { method: 'HEAD' }); }
  console.log('sequential HEAD blob', sockets); sockets = 0;
  for (let i = 0; i < 10; i++) { const r = await fetch(murl, { method: 'HEAD', headers: {accept: 'application/vnd.docker.distribution.manifest.v2+json'} }); }
  console.log('sequential HEAD manifest', sockets); sockets = 0;
  for (let i = 0; i < 10; i++) { const r = await fetch(murl, { method: 'GET', headers: {accept: 'application/vnd.docker.distribution.manifest.v2+json'} }); await r.arrayBuffer(); }
  console.log('sequential GET manifest', sockets); sockets = 0;
  const r = await fetch(url, { method: 'HEAD' }); console.log([...r.headers]);
} finally { await registry.stop(); }
process.exit(0);
